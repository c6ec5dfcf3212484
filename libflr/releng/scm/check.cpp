#include "releng/scm/check.hpp"

#include "releng/markdown.hpp"
#include "releng/names.hpp"
#include "releng/scm/commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fnmatch.h>
#include <algorithm>
#include <array>
#include <regex>
#include <set>

namespace flr::releng::scm {

const char* const epel_refusal =
    "This package is already an EL package and is built on all supported arches, therefore it cannot be in "
    "EPEL. If this is a mistake or you have an exception, please contact the Release Engineering team.";

namespace {

constexpr std::array<const char*, 7> monitor_values{
    "no-monitoring",          "monitoring",        "monitoring-with-scratch",  "monitoring-all",
    "monitoring-all-scratch", "monitoring-stable", "monitoring-stable-scratch"};

bool contains(const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

std::string q(const std::string& s) {
    return "\"" + markdown_text(s, 120) + "\"";
}

bool default_branch(const std::string& b) {
    return b.empty() || b == "rawhide" || b == "main" || b == "master";
}

class Checker {
public:
    Checker(const CheckInput& in, const Policy& policy, Ports& ports, Report& r)
        : in_(in), req_(in.request), policy_(policy), ports_(ports), r_(r) {}

    void new_repo() {
        bool ns_ok = policy_.namespace_allowed(req_.repo.ns);
        add("namespace", ns_ok,
            ns_ok ? req_.repo.ns
                  : fmt::format("the namespace {} is not one flr creates repositories in ({})", q(req_.repo.ns),
                                fmt::join(policy_.namespaces, ", ")));
        bool name_ok = valid_package_name(req_.repo.name);
        add("name", name_ok,
            name_ok ? req_.repo.name
                    : fmt::format("the repository name {} is not valid: it must match "
                                  "^[a-zA-Z0-9_][a-zA-Z0-9-_.+]*$",
                                  q(req_.repo.name)));
        if (!ns_ok || !name_ok) {
            skip("not in dist-git", "the name is not valid");
        } else if (auto access = ports_.repos->access(req_.repo)) {
            if (in_.resuming) {
                add("not in dist-git", true, "created by an earlier run of this request");
            } else {
                add("not in dist-git", false,
                    fmt::format("the repository {} already exists in dist-git", markdown_text(req_.repo.fullname())));
            }
        } else {
            add("not in dist-git", true, req_.repo.fullname() + " does not exist yet");
        }
        bool mon_ok = valid_monitor(req_.monitor);
        add("monitor", mon_ok,
            mon_ok ? req_.monitor
                   : fmt::format("the monitoring setting {} is not one of {}", q(req_.monitor),
                                 fmt::join(monitor_values, ", ")));
        if (!default_branch(req_.branch)) {
            branch_form("branch");
        }
        review();
    }

    void new_branch() {
        bool names_ok = valid_namespace(req_.repo.ns) && valid_package_name(req_.repo.name);
        std::optional<ProjectAccess> access;
        if (names_ok) {
            access = ports_.repos->access(req_.repo);
        }
        add("repo exists", access.has_value(),
            access ? req_.repo.fullname()
                   : fmt::format("the repository {} does not exist in dist-git", q(req_.repo.fullname())));
        bool branch_ok = branch_form("branch");
        if (!access || !branch_ok) {
            skip("branch is new", "needs an existing repository and a valid branch");
        } else {
            auto branches = ports_.repos->branches(req_.repo);
            bool exists = branches.count(req_.branch) > 0;
            if (exists && in_.resuming) {
                add("branch is new", true, "created by an earlier run of this request");
            } else {
                add("branch is new", !exists,
                    exists ? fmt::format("the branch {} already exists in {}", q(req_.branch),
                                         markdown_text(req_.repo.fullname()))
                           : req_.branch + " does not exist yet");
            }
        }
        if (!access) {
            skip("requester", "the repository does not exist");
        } else {
            requester(*access);
        }
        epel();
    }

private:
    void add(std::string rule, bool ok, std::string message, Verdict on_fail = Verdict::invalid) {
        r_.checks.push_back(Check{std::move(rule), ok ? Outcome::pass : Outcome::fail, on_fail, std::move(message)});
    }
    void skip(std::string rule, std::string why) {
        r_.checks.push_back(Check{std::move(rule), Outcome::skipped, Verdict::invalid, std::move(why)});
    }

    // fNN of an active release, epelN/epelN.M/epelN-next, or a non-release branch with SLs.
    bool branch_form(const char* rule) {
        const std::string& b = req_.branch;
        static const std::regex release_re("^f[0-9]+$");
        static const std::regex other_re("^[a-zA-Z0-9.\\-_+]+$");
        std::int64_t now = ports_.clock->now();
        if (std::regex_match(b, release_re)) {
            bool active = policy_.active_release(b, now);
            add(rule, active && req_.sls.empty(),
                !active             ? fmt::format("{} is not an active Fedora release", q(b))
                : !req_.sls.empty() ? fmt::format("{} is a release branch: it takes no service levels", q(b))
                                    : b + " is an active release");
            return active && req_.sls.empty();
        }
        if (epel_major(b)) {
            add(rule, req_.sls.empty(),
                req_.sls.empty() ? b + " is an EPEL branch"
                                 : fmt::format("{} is a release branch: it takes no service levels", q(b)));
            return req_.sls.empty();
        }
        if (b == "rawhide") {
            add(rule, true, "rawhide");
            return true;
        }
        if (b.size() > 255 || !std::regex_match(b, other_re) || b.starts_with("epel")) {
            add(rule, false, fmt::format("the branch name {} is not valid", q(b)));
            return false;
        }
        if (req_.sls.empty()) {
            add(rule, false,
                fmt::format("{} is not a release branch, so the request must give its service levels (\"sls\")", q(b)));
            return false;
        }
        std::vector<std::string> problems;
        for (const auto& [name, text] : req_.sls) {
            auto date = parse_lenient_date(text);
            if (!date || !date->warning.empty()) {
                problems.push_back(fmt::format("the date {} of service level {} is not a date", q(text), q(name)));
            } else if (!text.ends_with("-06-01") && !text.ends_with("-12-01")) {
                problems.push_back(
                    fmt::format("the service level {} ends on {}: it must end on June 1st or "
                                "December 1st",
                                q(name), text));
            } else if (date->time <= now) {
                problems.push_back(
                    fmt::format("the service level {} ended on {}: it must end in the future", q(name), text));
            }
        }
        add(rule, problems.empty(),
            problems.empty() ? b + " with service levels until " + req_.sls.begin()->second
                             : fmt::format("{}", fmt::join(problems, "; ")));
        return problems.empty();
    }

    std::optional<std::string> approval(const std::vector<std::string>& users) {
        for (const auto& c : in_.comments) {
            if (by_bot(c, policy_.bot_name) || parse_command(c.text, policy_.bot_name) != Command::valid) {
                continue;
            }
            if (contains(users, c.author) || contains(ports_.accounts->groups(c.author), policy_.approvers_group)) {
                return c.author;
            }
        }
        return std::nullopt;
    }

    void review() {
        if (!policy_.review_required(req_.repo.ns)) {
            skip("review bug", fmt::format("the {} namespace needs no review", req_.repo.ns));
            return;
        }
        if (req_.exception) {
            skip("review bug", "the request is an exception");
            auto by = approval({});
            r_.approvers = ports_.accounts->members(policy_.approvers_group);
            if (by) {
                r_.approved_by = *by;
            }
            add("exception approved", by.has_value(),
                by ? "approved by " + *by
                   : fmt::format("an exception needs the approval of the {} group (@{} valid)", policy_.approvers_group,
                                 policy_.bot_name),
                Verdict::needs_approval);
            return;
        }
        if (!req_.bug) {
            add("review bug", false, "a review bug is required (\"bug_id\") unless the request is an exception");
            return;
        }
        std::int64_t id = *req_.bug;
        auto bug = ports_.reviews->bug(id);
        add("review bug", bug.has_value(),
            bug ? fmt::format("bug {}", id) : fmt::format("bug {} does not exist or is not visible", id));
        if (!bug) {
            return;
        }
        auto comp = policy_.review_components.find(req_.repo.ns);
        std::string want_comp = comp == policy_.review_components.end() ? "Package Review" : comp->second;
        add("review: component", bug->component == want_comp,
            fmt::format("the bug's component is {}{}", q(bug->component),
                        bug->component == want_comp ? "" : fmt::format(", not {}", q(want_comp))));
        auto prod = policy_.review_products.find(req_.repo.ns);
        std::vector<std::string> products =
            prod == policy_.review_products.end() ? std::vector<std::string>{"Fedora"} : prod->second;
        bool prod_ok = contains(products, bug->product);
        add("review: product", prod_ok,
            prod_ok
                ? bug->product
                : fmt::format("the bug is for the product {}, not {}", q(bug->product), fmt::join(products, " or ")));
        bool assigned = !bug->assignee.empty() && bug->assignee != "nobody@fedoraproject.org";
        add("review: assigned", assigned,
            assigned ? "assigned to " + markdown_text(bug->assignee) : "the bug is not assigned to a reviewer");
        const auto& flag = bug->fedora_review;
        bool approved = flag && flag->status == "+";
        add("review: fedora-review+", approved,
            approved ? "fedora-review+" : "the bug is not approved: it has no fedora-review+ flag");
        if (!approved) {
            skip("review: flag setter", "no fedora-review+");
            skip("review: flag age", "no fedora-review+");
        } else {
            bool by_assignee = flag->setter == bug->assignee && flag->setter != bug->creator;
            add("review: flag setter", by_assignee,
                by_assignee ? "set by the assignee"
                            : fmt::format("fedora-review+ was set by {}, not by the assignee {}",
                                          markdown_text(flag->setter), markdown_text(bug->assignee)));
            auto set = parse_iso_time(flag->date);
            std::int64_t limit = static_cast<std::int64_t>(policy_.review_max_age_days) * 86400;
            bool fresh = set && ports_.clock->now() - *set <= limit;
            add("review: flag age", fresh,
                !set    ? fmt::format("the date of fedora-review+ ({}) cannot be read", q(flag->date))
                : fresh ? "set on " + iso_date(*set)
                        : fmt::format("the bug was approved on {}, more than {} days ago", iso_date(*set),
                                      policy_.review_max_age_days));
        }
        static const std::regex summary_re("^Review Request: ([^ ]+) - .*$");
        std::smatch m;
        bool summary_ok = std::regex_match(bug->summary, m, summary_re) && m[1] == req_.repo.name;
        add("review: summary", summary_ok,
            summary_ok ? markdown_text(bug->summary)
                       : fmt::format("the bug's summary {} is not \"Review Request: {} - <summary>\"", q(bug->summary),
                                     markdown_text(req_.repo.name)));
        auto account = ports_.accounts->user(in_.author);
        std::string email = account ? account->bugzilla_email() : "";
        bool reporter_ok = !email.empty() && email == bug->creator;
        add("review: reporter", reporter_ok,
            reporter_ok ? "reported by " + markdown_text(in_.author)
            : !account  ? fmt::format("the ticket's author {} has no Fedora account", q(in_.author))
            : email.empty()
                ? fmt::format("the ticket's author {} has no e-mail address", q(in_.author))
                : fmt::format("the bug was reported by {}, not by the ticket's author {} ({})",
                              markdown_text(bug->creator), markdown_text(in_.author), markdown_text(email)));
    }

    static bool pattern_matches(const Collaborator& c, const std::string& branch) {
        return std::any_of(c.branches.begin(), c.branches.end(),
                           [&](const std::string& p) { return fnmatch(p.c_str(), branch.c_str(), 0) == 0; });
    }

    void requester(const ProjectAccess& a) {
        const std::string& user = in_.author;
        const std::string& b = req_.branch;
        std::string how;
        if (user == a.main_admin || contains(a.admins, user)) {
            how = "an admin of the repository";
        } else if (contains(a.committers, user)) {
            how = "a committer";
        } else {
            for (const auto& c : a.collaborators) {
                if (c.name == user && pattern_matches(c, b)) {
                    how = "a collaborator on " + b;
                }
            }
        }
        std::vector<std::string> groups;
        if (how.empty()) {
            groups = ports_.accounts->groups(user);
            for (const auto& g : groups) {
                if (contains(a.admin_groups, g) || contains(a.commit_groups, g)) {
                    how = "a member of the group " + g;
                    break;
                }
                for (const auto& c : a.collaborator_groups) {
                    if (c.name == g && pattern_matches(c, b)) {
                        how = fmt::format("a member of the group {}, a collaborator on {}", g, b);
                    }
                }
            }
            if (how.empty() && contains(groups, policy_.provenpackager_group) && !b.starts_with("epel")) {
                how = "a provenpackager";
            }
        }
        if (!how.empty()) {
            add("requester", true, markdown_text(user) + " is " + how);
            return;
        }
        std::vector<std::string> maintainers;
        if (!a.main_admin.empty()) {
            maintainers.push_back(a.main_admin);
        }
        for (const auto* list : {&a.admins, &a.committers}) {
            for (const auto& u : *list) {
                if (!contains(maintainers, u)) {
                    maintainers.push_back(u);
                }
            }
        }
        auto by = approval(maintainers);
        r_.approvers = maintainers;
        if (by) {
            r_.approved_by = *by;
            add("requester", true,
                fmt::format("{} may not ask for {} alone; approved by {}", markdown_text(user), markdown_text(b),
                            markdown_text(*by)));
            return;
        }
        std::string why = b.starts_with("epel") && contains(groups, policy_.provenpackager_group)
                              ? " (being a provenpackager is not enough for EPEL branches)"
                              : "";
        add("requester", false,
            fmt::format("{} is not a maintainer of {}{}: a maintainer must approve (@{} valid)", markdown_text(user),
                        markdown_text(req_.repo.fullname()), why, policy_.bot_name),
            Verdict::needs_approval);
    }

    void epel() {
        auto major = epel_major(req_.branch);
        if (!major || req_.repo.ns != "rpms") {
            skip("not in RHEL", "not an EPEL branch of an rpms repository");
            return;
        }
        auto rhel = ports_.rhel->package(*major, req_.repo.name);
        if (!rhel) {
            add("not in RHEL", true, fmt::format("RHEL {} does not ship {}", *major, req_.repo.name));
            return;
        }
        bool everywhere = rhel_ships_everywhere(*major, *rhel);
        add("not in RHEL", !everywhere,
            everywhere
                ? std::string(epel_refusal)
                : fmt::format("RHEL {} ships {} on {} only", *major, req_.repo.name, fmt::join(rhel->arches, ", ")),
            Verdict::denied);
    }

    const CheckInput& in_;
    const ScmRequest& req_;
    const Policy& policy_;
    Ports& ports_;
    Report& r_;
};

void decide(Report& r) {
    r.verdict = Verdict::valid;
    for (const auto& c : r.checks) {
        if (c.outcome == Outcome::fail && c.on_fail > r.verdict) {
            r.verdict = c.on_fail;
        }
    }
}

}  // namespace

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::needs_approval:
            return "needs-approval";
        case Verdict::denied:
            return "denied";
        case Verdict::invalid:
            return "invalid";
        case Verdict::valid:
            break;
    }
    return "valid";
}

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::fail:
            return "FAILED";
        case Outcome::skipped:
            return "skipped";
        case Outcome::pass:
            break;
    }
    return "ok";
}

std::vector<std::string> Report::reasons() const {
    std::vector<std::string> out;
    for (const auto& c : checks) {
        if (c.outcome == Outcome::fail) {
            out.push_back(c.message);
        }
    }
    return out;
}

bool valid_monitor(const std::string& value) {
    return std::find(monitor_values.begin(), monitor_values.end(), value) != monitor_values.end();
}

std::optional<int> epel_major(const std::string& branch) {
    static const std::regex re("^epel([1-9][0-9]?)(\\.[0-9]{1,2}|-next)?$");
    std::smatch m;
    if (!std::regex_match(branch, m, re)) {
        return std::nullopt;
    }
    return std::stoi(m[1]);
}

bool rhel_ships_everywhere(int major, const RhelPackage& rhel) {
    std::set<std::string> ignored =
        major <= 6 ? std::set<std::string>{"noarch", "ppc", "i386"} : std::set<std::string>{"noarch", "ppc", "i686"};
    std::set<std::string> pkg(rhel.arches.begin(), rhel.arches.end());
    if (pkg == std::set<std::string>{"noarch"}) {
        return true;
    }
    bool any = false;
    for (const auto& a : rhel.release_arches) {
        if (ignored.count(a) > 0) {
            continue;
        }
        any = true;
        if (pkg.count(a) == 0) {
            return false;
        }
    }
    return any;
}

Report check(const CheckInput& in, const Policy& policy, Ports& ports) {
    Report r;
    r.request = in.request;
    r.author = in.author;
    r.ticket_url = in.ticket_url;
    r.warnings = policy.warnings;
    Checker c(in, policy, ports, r);
    if (in.request.action == Action::new_repo) {
        c.new_repo();
    } else {
        c.new_branch();
    }
    decide(r);
    return r;
}

Report malformed_report(const std::vector<std::string>& problems, const std::string& author,
                        const std::string& ticket_url) {
    Report r;
    r.author = author;
    r.ticket_url = ticket_url;
    for (const auto& p : problems) {
        r.checks.push_back(Check{"ticket", Outcome::fail, Verdict::invalid, p});
    }
    r.verdict = Verdict::invalid;
    return r;
}

}  // namespace flr::releng::scm
