#include "releng/scm/request.hpp"

#include "releng/ticket_json.hpp"

#include <fmt/format.h>

#include <regex>

namespace flr::releng::scm {

namespace {

struct Title {
    Action action;
    std::string branch;  // new_branch only
    RepoRef repo;
};

std::optional<Title> parse_title(const std::string& title) {
    static const std::regex repo_re(R"re(^\s*New Repo for "([^"/]+)/([^"/]+)"\s*$)re");
    static const std::regex branch_re(R"re(^\s*New Branch "([^"]+)" for "([^"/]+)/([^"/]+)"\s*$)re");
    if (title.size() > 1000) {
        return std::nullopt;
    }
    std::smatch m;
    if (std::regex_match(title, m, repo_re)) {
        return Title{Action::new_repo, "", RepoRef{m[1], m[2]}};
    }
    if (std::regex_match(title, m, branch_re)) {
        return Title{Action::new_branch, m[1], RepoRef{m[2], m[3]}};
    }
    return std::nullopt;
}

// A boolean member as fedpkg writes it (true/false), or its string form.
Result<std::optional<bool>> bool_member(const Json& obj, const char* name) {
    const Json* v = member(obj, {name});
    if (v == nullptr) {
        return std::optional<bool>();
    }
    if (v->is_boolean()) {
        return std::optional<bool>(v->get<bool>());
    }
    if (v->is_string() && (*v == "true" || *v == "false")) {
        return std::optional<bool>(*v == "true");
    }
    return Problem{fmt::format("\"{}\" is not true or false", name)};
}

Result<std::map<std::string, std::string>> sls_member(const Json& obj) {
    std::map<std::string, std::string> out;
    const Json* v = member(obj, {"sls"});
    if (v == nullptr) {
        return out;
    }
    if (!v->is_object()) {
        return Problem{"\"sls\" is not a map of service levels to dates"};
    }
    for (const auto& [name, date] : v->items()) {
        if (!date.is_string()) {
            return Problem{fmt::format("the date of service level \"{}\" is not a string", name.substr(0, 80))};
        }
        out[name] = date.get<std::string>();
    }
    return out;
}

template <class T>
void take(const Result<T>& r, T& into, std::vector<std::string>& problems) {
    if (r.ok()) {
        into = r.value();
    } else {
        problems.push_back(r.error());
    }
}

}  // namespace

const char* action_name(Action action) {
    return action == Action::new_branch ? "new_branch" : "new_repo";
}

TicketParse parse_ticket(const std::string& title, const std::string& body) {
    TicketParse out;
    auto t = parse_title(title);
    auto obj = fenced_object(body);
    bool has_action = obj && obj->ok() && obj->value().is_object() && obj->value().contains("action");
    if (!t && !has_action) {
        if (obj && !obj->ok() &&
            (title.find("New Repo") != std::string::npos || title.find("New Branch") != std::string::npos)) {
            out.kind = TicketParse::Kind::malformed;
            out.problems.push_back(obj->error());
        }
        return out;
    }
    auto& p = out.problems;
    if (!t) {
        p.push_back(
            "the title is neither 'New Repo for \"<namespace>/<repo>\"' nor "
            "'New Branch \"<branch>\" for \"<namespace>/<repo>\"'");
    }
    if (!obj) {
        p.push_back("the ticket body has no ``` block with the request's JSON");
    } else if (!obj->ok()) {
        p.push_back(obj->error());
    }
    if (!p.empty()) {
        out.kind = TicketParse::Kind::malformed;
        return out;
    }
    const Json& j = obj->value();
    ScmRequest& r = out.request;
    std::string action;
    take(text_member(j, {"action"}, "action"), action, p);
    if (action == "new_repo") {
        r.action = Action::new_repo;
    } else if (action == "new_branch") {
        r.action = Action::new_branch;
    } else {
        p.push_back(fmt::format("the action \"{}\" is neither new_repo nor new_branch", action.substr(0, 80)));
    }
    take(text_member(j, {"repo"}, "repo"), r.repo.name, p);
    take(text_member(j, {"namespace"}, "namespace"), r.repo.ns, p);
    take(text_member(j, {"branch"}, "branch"), r.branch, p);
    if (r.repo.name.empty()) {
        p.push_back("the request names no \"repo\"");
    }
    if (r.repo.ns.empty()) {
        // fedpkg always writes it; older tickets meant rpms.
        r.repo.ns = "rpms";
    }
    take(sls_member(j), r.sls, p);
    if (r.action == Action::new_repo) {
        take(text_member(j, {"description"}, "description"), r.description, p);
        take(text_member(j, {"summary"}, "summary"), r.summary, p);
        take(text_member(j, {"upstreamurl"}, "upstreamurl"), r.upstream_url, p);
        take(text_member(j, {"monitor"}, "monitor"), r.monitor, p);
        take(bug_member(j, {"bug_id"}, "bug_id"), r.bug, p);
        std::optional<bool> exception, initial;
        take(bool_member(j, "exception"), exception, p);
        take(bool_member(j, "initial_commit"), initial, p);
        r.exception = exception.value_or(false);
        r.initial_commit = initial.value_or(true);
    } else {
        std::optional<bool> create;
        take(bool_member(j, "create_git_branch"), create, p);
        r.create_git_branch = create.value_or(true);
        if (r.branch.empty()) {
            p.push_back("the request names no \"branch\"");
        }
    }
    if (t && p.empty()) {
        // The title and the body must speak of the same thing.
        if (t->action != r.action) {
            p.push_back(fmt::format("the title asks for a {} but the body for a {}", action_name(t->action),
                                    action_name(r.action)));
        } else if (t->repo.fullname() != r.repo.fullname()) {
            p.push_back(fmt::format("the title names {} but the body {}", t->repo.fullname().substr(0, 120),
                                    r.repo.fullname().substr(0, 120)));
        } else if (t->action == Action::new_branch && t->branch != r.branch) {
            p.push_back(fmt::format("the title names branch {} but the body {}", t->branch.substr(0, 80),
                                    r.branch.substr(0, 80)));
        }
    }
    out.kind = p.empty() ? TicketParse::Kind::request : TicketParse::Kind::malformed;
    return out;
}

}  // namespace flr::releng::scm
