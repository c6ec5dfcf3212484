#include "core/text.hpp"
#include "services/pagure_access.hpp"
#include "services/pagure_json.hpp"
#include "services/rest.hpp"
#include "services/settings.hpp"

#include <flr/config.hpp>
#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <regex>

namespace flr::pagure {

using services::Json;

namespace {

// "rpms/nethack" -> "rpms/nethack" with each part escaped; refuses "..", "", "a/b/c".
std::string project_path(const std::string& fullname) {
    auto slash = fullname.find('/');
    std::string first = fullname.substr(0, slash);
    std::string second = slash == std::string::npos ? "" : fullname.substr(slash + 1);
    auto bad = [](const std::string& part) {
        return part.empty() || part == "." || part == ".." || part.find('/') != std::string::npos;
    };
    if (bad(first) || (slash != std::string::npos && bad(second))) {
        throw UsageError(fmt::format("invalid project name \"{}\"", fullname));
    }
    return slash == std::string::npos ? text::percent_encode(first)
                                      : text::percent_encode(first) + "/" + text::percent_encode(second);
}

std::string form(const http::Fields& fields) {
    std::string q = http::query(fields);
    return q.empty() ? q : q.substr(1);
}

class HttpClient final : public Client {
public:
    HttpClient(services::Endpoint endpoint, std::optional<Secret> token)
        : url_(endpoint.url), http_(endpoint.http), token_(std::move(token)) {
        if (token_) {
            http_.add_secret(*token_);
        }
    }

    Issue issue(const std::string& project, std::int64_t id) override {
        return decode("an issue", get(api(project) + fmt::format("/issue/{}", id)), issue_from_json);
    }

    std::vector<Issue> issues(const std::string& project, const IssueQuery& q) override {
        std::vector<Issue> out;
        services::paginate(q.max_pages, fmt::format("{}: stopped listing issues", project), [&](int page) {
            http::Fields f{{"status", q.status}};
            for (const auto& tag : q.tags) {
                f.emplace_back("tags", tag);
            }
            if (!q.author.empty()) {
                f.emplace_back("author", q.author);
            }
            if (!q.since.empty()) {
                f.emplace_back("since", q.since);
            }
            f.emplace_back("per_page", std::to_string(q.per_page));
            f.emplace_back("page", std::to_string(page));
            auto result = decode("an issue list", get(api(project) + "/issues" + http::query(f)), issue_page_from_json);
            std::move(result.issues.begin(), result.issues.end(), std::back_inserter(out));
            return result.more;
        });
        return out;
    }

    void comment(const std::string& project, std::int64_t id, const std::string& body) override {
        post(api(project) + fmt::format("/issue/{}/comment", id), {{"comment", body}}, false);
    }

    void set_status(const std::string& project, std::int64_t id, const std::string& status,
                    const std::string& close_status) override {
        http::Fields f{{"status", status}};
        if (!close_status.empty()) {
            f.emplace_back("close_status", close_status);
        }
        post(api(project) + fmt::format("/issue/{}/status", id), f, true);
    }

    std::optional<Project> project(const std::string& fullname) override {
        auto response = services::send_unless_absent(http_, {"GET", api(fullname), headers(), {}, {}});
        if (!response) {
            return std::nullopt;
        }
        return decode("a project", Json::parse(response->body, nullptr, false), project_from_json);
    }

    void create_project(const NewProject& p) override {
        http::Fields f{{"name", p.name},
                       {"description", p.description},
                       {"url", p.url},
                       {"wait", "true"},
                       {"create_readme", p.create_readme ? "true" : "false"}};
        if (!p.ns.empty()) {
            f.emplace_back("namespace", p.ns);
        }
        if (!p.default_branch.empty()) {
            f.emplace_back("default_branch", p.default_branch);
        }
        post(url_ + "/api/0/new", f, false);
    }

    void set_main_admin(const std::string& fullname, const std::string& user) override {
        auto h = headers();
        h.emplace_back("Content-Type", "application/json");
        http_.send_json({"PATCH", api(fullname), h, Json{{"main_admin", user}}.dump(), true});
    }

    void create_branch(const std::string& fullname, const std::string& branch, const BranchFrom& from) override {
        if (from.branch.empty() == from.commit.empty()) {
            throw UsageError("a new branch needs exactly one of a branch or a commit to start from");
        }
        http::Fields f{{"branch", branch}};
        f.emplace_back(from.branch.empty() ? "from_commit" : "from_branch",
                       from.branch.empty() ? from.commit : from.branch);
        post(api(fullname) + "/git/branch", f, false);
    }

    Branches branches(const std::string& fullname) override {
        return decode("a branch list", get(api(fullname) + "/git/branches"), branches_from_json);
    }

    std::map<std::string, std::string> branch_heads(const std::string& fullname) override {
        return decode("a branch list", get(api(fullname) + "/git/branches?with_commits=true"), branch_heads_from_json);
    }

    std::optional<Access> access(const std::string& fullname) override {
        auto response =
            services::send_unless_absent(http_, {"GET", api(fullname) + "/contributors", headers(), {}, {}});
        if (!response) {
            return std::nullopt;
        }
        return decode("a contributor list", Json::parse(response->body, nullptr, false), access_from_json);
    }

    std::optional<std::string> raw_file(const std::string& fullname, const std::string& ref,
                                        const std::string& path) override {
        auto url = fmt::format("{}/{}/raw/{}/f/{}", url_, project_path(fullname), text::percent_encode(ref),
                               escape_path(path));
        auto response = services::send_unless_absent(http_, {"GET", url, headers(), {}, {}});
        if (!response) {
            return std::nullopt;
        }
        return std::move(response->body);
    }

    std::string monitoring(const std::string& fullname) override {
        auto j = get(url_ + "/_dg/anitya/" + project_path(fullname));
        return decode("a monitoring setting", j, [](const Json& v) { return services::str(v, "monitoring"); });
    }

    void set_monitoring(const std::string& fullname, const std::string& status) override {
        auto h = headers();
        h.emplace_back("Content-Type", "application/json");
        http_.send_json(
            {"POST", url_ + "/_dg/anitya/" + project_path(fullname), h, Json{{"anitya_status", status}}.dump(), true});
    }

    std::string issue_url(const std::string& project, std::int64_t id) const override {
        return fmt::format("{}/{}/issue/{}", url_, project, id);
    }

private:
    std::string api(const std::string& fullname) const { return url_ + "/api/0/" + project_path(fullname); }

    static std::string escape_path(const std::string& path) {
        std::string out;
        std::size_t start = 0;
        for (auto slash = path.find('/');; slash = path.find('/', start)) {
            std::string part = path.substr(start, slash - start);
            if (part.empty() || part == "." || part == "..") {
                throw UsageError(fmt::format("invalid file path \"{}\"", path));
            }
            out += (out.empty() ? "" : "/") + text::percent_encode(part);
            if (slash == std::string::npos) {
                return out;
            }
            start = slash + 1;
        }
    }

    http::Fields headers() const {
        http::Fields h{{"Accept", "application/json"}};
        if (token_) {
            h.emplace_back("Authorization", "token " + token_->reveal());
        }
        return h;
    }

    Json get(const std::string& url) { return http_.send_json({"GET", url, headers(), {}, {}}); }

public:
    bool user_exists(const std::string& name) override {
        Json j = get(url_ + "/api/0/users" + http::query({{"pattern", name}}));
        auto users = j.find("users");
        if (users == j.end() || !users->is_array()) {
            throw RemoteError(http_.settings().service, "unexpected answer (a user list): no \"users\" list");
        }
        return std::any_of(users->begin(), users->end(),
                           [&](const Json& u) { return u.is_string() && u.get<std::string>() == name; });
    }

private:
    void post(const std::string& url, const http::Fields& fields, bool idempotent) {
        auto h = headers();
        h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        http_.send_json({"POST", url, h, form(fields), idempotent});
    }

    template <class F>
    auto decode(const char* what, const Json& j, F f) -> decltype(f(j)) {
        return services::decode(http_.settings().service, what, j, f);
    }

    std::string url_;
    http::Client http_;
    std::optional<Secret> token_;
};

}  // namespace

Client::~Client() = default;

bool Client::user_exists(const std::string& name) {
    throw Error(fmt::format("cannot look up the user {} on this Pagure client", name));
}

std::unique_ptr<Client> connect(const Config& config, std::string_view section) {
    auto endpoint = services::endpoint(config, section, {"url", "token_file", "git_url"});
    auto token = services::secret(config, endpoint, "token_file");
    return std::make_unique<HttpClient>(std::move(endpoint), std::move(token));
}

bool valid_project_name(std::string_view fullname) {
    static const std::regex pattern("^[a-z0-9][a-z0-9_.-]{0,63}(/[a-z0-9][a-z0-9_.-]{0,63})?$");
    return std::regex_match(fullname.begin(), fullname.end(), pattern);
}

}  // namespace flr::pagure
