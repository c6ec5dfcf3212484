#include "releng/adapters.hpp"

#include "releng/git_history.hpp"

#include <flr/bodhi.hpp>
#include <flr/bugzilla.hpp>
#include <flr/error.hpp>
#include <flr/fasjson.hpp>
#include <flr/koji.hpp>
#include <flr/pagure.hpp>
#include <flr/pkg_el.hpp>

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>

namespace flr::releng {

namespace {

template <class T>
class Lazy {
public:
    explicit Lazy(std::function<std::unique_ptr<T>()> make) : make_(std::move(make)) {}
    T& get() {
        if (!value_) {
            value_ = make_();
        }
        return *value_;
    }

private:
    std::function<std::unique_ptr<T>()> make_;
    std::unique_ptr<T> value_;
};

class KojiAdapter : public KojiPackagesPort {
public:
    explicit KojiAdapter(Lazy<koji::Client>& koji) : koji_(koji) {}
    std::optional<bool> blocked(const std::string& tag, const std::string& package) override {
        auto entries = koji_.get().packages(koji::PackageQuery{tag, package, true, true});
        for (const auto& e : entries) {
            if (e.package_name == package) {
                return e.blocked;
            }
        }
        return std::nullopt;
    }
    void unblock(const std::string& tag, const std::string& package) override { koji_.get().unblock(tag, package); }

private:
    Lazy<koji::Client>& koji_;
};

class ImagesAdapter : public ImagesPort {
public:
    explicit ImagesAdapter(Lazy<koji::Client>& koji) : koji_(koji) {}
    std::optional<koji::Build> latest_build(const std::string& tag, const std::string& package) override {
        auto builds = koji_.get().latest_builds(tag, package);
        return builds.empty() ? std::nullopt : std::optional<koji::Build>(builds.front());
    }
    std::vector<koji::Archive> image_archives(std::int64_t build_id) override {
        return koji_.get().archives(build_id, "image");
    }
    std::vector<std::vector<koji::Rpm>> archive_rpms(const std::vector<std::int64_t>& ids) override {
        return koji_.get().image_rpms_many(ids);
    }
    std::vector<std::optional<koji::Build>> builds(const std::vector<std::int64_t>& ids) override {
        return koji_.get().builds_many(ids);
    }
    std::vector<std::vector<koji::Build>> latest_builds(const std::string& tag,
                                                        const std::vector<std::string>& packages) override {
        return koji_.get().latest_builds_many(tag, packages);
    }
    std::optional<koji::Task> task(std::int64_t id) override { return koji_.get().task(id); }
    std::int64_t submit(const koji::KiwiBuild& build) override { return koji_.get().kiwi_build(build); }
    std::string topurl() override { return koji_.get().topurl(); }

private:
    Lazy<koji::Client>& koji_;
};

class UpdatesAdapter : public UpdatesPort {
public:
    explicit UpdatesAdapter(Lazy<bodhi::Client>& bodhi) : bodhi_(bodhi) {}
    std::vector<bodhi::Update> stable_since(const std::string& release, const std::string& since) override {
        bodhi::UpdateQuery q;
        q.releases = {release};
        q.status = "stable";
        q.pushed_since = since;
        return bodhi_.get().updates(q);
    }
    std::vector<bodhi::Release> releases() override { return bodhi_.get().releases(); }

private:
    Lazy<bodhi::Client>& bodhi_;
};

class BugzillaAdapter : public ReviewsPort {
public:
    explicit BugzillaAdapter(Lazy<bugzilla::Client>& bz) : bz_(bz) {}
    std::optional<ReviewBug> bug(std::int64_t id) override {
        auto b = bz_.get().bug(id);
        if (!b) {
            return std::nullopt;
        }
        ReviewBug r{b->id, b->summary, b->product, b->component, b->status, b->creator, b->assigned_to, {}};
        if (const auto* f = b->flag("fedora-review")) {
            r.fedora_review = ReviewFlag{f->status, f->setter, f->modification_date};
        }
        return r;
    }
    void comment(std::int64_t id, const std::string& text) override { bz_.get().add_comment(id, text); }
    bool has_comment(std::int64_t id, const std::string& text) override {
        auto all = bz_.get().comments(id);
        return std::find(all.begin(), all.end(), text) != all.end();
    }

private:
    Lazy<bugzilla::Client>& bz_;
};

class AccountsAdapter : public AccountsPort {
public:
    explicit AccountsAdapter(Lazy<fasjson::Client>& fas) : fas_(fas) {}
    std::optional<Account> user(const std::string& name) override {
        auto u = fas_.get().user(name);
        if (!u) {
            return std::nullopt;
        }
        return Account{u->username, u->emails, u->rhbzemail};
    }
    std::vector<std::string> groups(const std::string& user) override { return fas_.get().groups(user); }
    std::vector<std::string> members(const std::string& group) override { return fas_.get().members(group); }

private:
    Lazy<fasjson::Client>& fas_;
};

std::vector<Collaborator> collaborators(const std::vector<pagure::Collaborator>& list) {
    std::vector<Collaborator> out;
    for (const auto& c : list) {
        out.push_back({c.name, c.branches});
    }
    return out;
}

class ReposAdapter : public ReposPort {
public:
    ReposAdapter(Lazy<pagure::Client>& distgit, std::string web_url) : distgit_(distgit), web_(std::move(web_url)) {}
    std::optional<ProjectAccess> access(const RepoRef& repo) override {
        auto p = distgit_.get().project(repo.fullname());
        if (!p) {
            return std::nullopt;
        }
        ProjectAccess a;
        a.main_admin = p->main_admin();
        if (auto c = distgit_.get().access(repo.fullname())) {
            a.admins = c->admins;
            a.committers = c->committers;
            a.collaborators = collaborators(c->collaborators);
            a.admin_groups = c->admin_groups;
            a.commit_groups = c->commit_groups;
            a.collaborator_groups = collaborators(c->collaborator_groups);
        }
        return a;
    }
    std::map<std::string, std::string> branches(const RepoRef& repo) override {
        return distgit_.get().branch_heads(repo.fullname());
    }
    void create(const NewRepo& n) override {
        pagure::NewProject p{n.repo.ns, n.repo.name, n.description, n.upstream_url, n.default_branch, n.initial_commit};
        distgit_.get().create_project(p);
    }
    void create_branch(const RepoRef& repo, const std::string& branch, const std::string& from_commit) override {
        distgit_.get().create_branch(repo.fullname(), branch, pagure::BranchFrom{"", from_commit});
    }
    void set_main_admin(const RepoRef& repo, const std::string& user) override {
        distgit_.get().set_main_admin(repo.fullname(), user);
    }
    std::string monitoring(const RepoRef& repo) override { return distgit_.get().monitoring(repo.fullname()); }
    void set_monitoring(const RepoRef& repo, const std::string& value) override {
        distgit_.get().set_monitoring(repo.fullname(), value);
    }
    std::string url(const RepoRef& repo) const override { return web_ + "/" + repo.fullname(); }

private:
    Lazy<pagure::Client>& distgit_;
    std::string web_;
};

class RhelAdapter : public RhelPort {
public:
    explicit RhelAdapter(Lazy<pkg_el::Client>& lists) : lists_(lists) {}
    std::optional<RhelPackage> package(int major, const std::string& name) override {
        auto it = cache_.find(major);
        if (it == cache_.end()) {
            it = cache_.emplace(major, lists_.get().release(major)).first;
        }
        if (!it->second) {
            return std::nullopt;
        }
        auto p = it->second->packages.find(name);
        if (p == it->second->packages.end()) {
            return std::nullopt;
        }
        return RhelPackage{it->second->arches, p->second};
    }

private:
    Lazy<pkg_el::Client>& lists_;
    std::map<int, std::optional<pkg_el::Release>> cache_;
};

class ProjectsAdapter : public ProjectsPort {
public:
    explicit ProjectsAdapter(Lazy<pagure::Client>& distgit) : distgit_(distgit) {}
    std::optional<ProjectInfo> project(const RepoRef& repo) override {
        auto p = distgit_.get().project(repo.fullname());
        if (!p) {
            return std::nullopt;
        }
        return ProjectInfo{p->main_admin(), p->admins};
    }
    bool user_exists(const std::string& user) override { return distgit_.get().user_exists(user); }
    void give(const RepoRef& repo, const std::string& user) override {
        distgit_.get().set_main_admin(repo.fullname(), user);
    }

private:
    Lazy<pagure::Client>& distgit_;
};

class TicketsAdapter : public TicketsPort {
public:
    TicketsAdapter(Lazy<pagure::Client>& pagure, std::string project) : pagure_(pagure), project_(std::move(project)) {}
    Ticket ticket(std::int64_t id) override {
        auto issue = pagure_.get().issue(project_, id);
        Ticket t{issue.id,           url(id), issue.title, issue.content, issue.user.name, issue.status == "Open",
                 issue.close_status, {}};
        for (const auto& c : issue.comments) {
            t.comments.push_back({c.user.name, c.comment});
        }
        return t;
    }
    std::string url(std::int64_t id) const override { return pagure_.get().issue_url(project_, id); }
    void comment(std::int64_t id, const std::string& text) override { pagure_.get().comment(project_, id, text); }
    void close(std::int64_t id, const std::string& status) override {
        pagure_.get().set_status(project_, id, "Closed", status);
    }

private:
    Lazy<pagure::Client>& pagure_;
    std::string project_;
};

class SystemClock : public Clock {
public:
    std::int64_t now() const override { return std::time(nullptr); }
};

}  // namespace

struct ServicePorts::Impl {
    Impl(const Config& config, const ServiceSettings& settings)
        : pagure([&config] { return pagure::connect(config, "pagure"); }),
          distgit_client([&config] { return pagure::connect(config, "distgit"); }),
          koji_client([&config] { return koji::connect(config); }),
          bz_client([&config] { return bugzilla::connect(config); }),
          bodhi_client([&config] { return bodhi::connect(config); }),
          fas_client([&config] { return fasjson::connect(config); }),
          rhel_client([&config] { return pkg_el::connect(config); }),
          history(config.section("distgit").string_or("git_url", "ssh://pkgs.fedoraproject.org"), settings.identity),
          koji(koji_client),
          bugzilla(bz_client),
          packages(distgit_client),
          tickets(pagure, settings.ticket_project),
          images(koji_client),
          updates(bodhi_client),
          accounts(fas_client),
          repos(distgit_client, config.section("distgit").string_or("url", "https://src.fedoraproject.org")),
          rhel(rhel_client) {}

    Lazy<pagure::Client> pagure;
    Lazy<pagure::Client> distgit_client;
    Lazy<koji::Client> koji_client;
    Lazy<bugzilla::Client> bz_client;
    Lazy<bodhi::Client> bodhi_client;
    Lazy<fasjson::Client> fas_client;
    Lazy<pkg_el::Client> rhel_client;
    GitHistory history;
    KojiAdapter koji;
    BugzillaAdapter bugzilla;
    ProjectsAdapter packages;
    TicketsAdapter tickets;
    SystemClock clock;
    ImagesAdapter images;
    UpdatesAdapter updates;
    AccountsAdapter accounts;
    ReposAdapter repos;
    RhelAdapter rhel;
};

ServicePorts::ServicePorts(const Config& config, ServiceSettings settings)
    : impl_(std::make_unique<Impl>(config, settings)) {}

ServicePorts::~ServicePorts() = default;

Ports ServicePorts::ports() {
    return Ports{.history = &impl_->history,
                 .koji = &impl_->koji,
                 .reviews = &impl_->bugzilla,
                 .projects = &impl_->packages,
                 .tickets = &impl_->tickets,
                 .clock = &impl_->clock,
                 .images = &impl_->images,
                 .updates = &impl_->updates,
                 .accounts = &impl_->accounts,
                 .repos = &impl_->repos,
                 .rhel = &impl_->rhel};
}

TicketsPort& ServicePorts::tickets() {
    return impl_->tickets;
}

}  // namespace flr::releng
