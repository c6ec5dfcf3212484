#include "services/pagure_json.hpp"

namespace flr::pagure {

using services::Json;

namespace {

User user_from_json(const Json& j) {
    return User{services::str(j, "name"), services::str(j, "fullname")};
}

Comment comment_from_json(const Json& j) {
    return Comment{services::num(j, "id"), services::str(j, "comment"), user_from_json(services::object(j, "user")),
                   services::num(j, "date_created")};
}

}  // namespace

Issue issue_from_json(const Json& j) {
    services::expect_object(j, "an issue");
    Issue i;
    i.id = services::num(j, "id");
    i.title = services::str(j, "title");
    i.content = services::str(j, "content");
    i.status = services::str(j, "status");
    i.close_status = services::str(j, "close_status");
    i.tags = services::strings(j, "tags");
    i.user = user_from_json(services::object(j, "user"));
    if (const Json& a = services::object(j, "assignee"); !a.is_null()) {
        i.assignee = user_from_json(a);
    }
    i.date_created = services::num(j, "date_created");
    i.last_updated = services::num(j, "last_updated");
    for (const auto& c : services::array(j, "comments")) {
        i.comments.push_back(comment_from_json(c));
    }
    return i;
}

Project project_from_json(const Json& j) {
    services::expect_object(j, "a project");
    Project p;
    p.name = services::str(j, "name");
    p.ns = services::str(j, "namespace");
    p.fullname = services::str(j, "fullname");
    p.description = services::str(j, "description");
    const Json& users = services::object(j, "access_users");
    const Json& groups = services::object(j, "access_groups");
    if (!users.is_null()) {
        p.owners = services::strings(users, "owner");
        p.admins = services::strings(users, "admin");
        p.committers = services::strings(users, "commit");
    }
    if (!groups.is_null()) {
        p.admin_groups = services::strings(groups, "admin");
        p.commit_groups = services::strings(groups, "commit");
    }
    if (p.owners.empty()) {
        if (const Json& u = services::object(j, "user"); !u.is_null()) {
            p.owners.push_back(services::str(u, "name"));
        }
    }
    return p;
}

Branches branches_from_json(const Json& j) {
    services::expect_object(j, "a branch list");
    Branches b;
    const Json& list = j.contains("branches") ? j["branches"] : Json();
    if (list.is_object()) {  // with_commits=true: {name: hash}
        for (const auto& [name, hash] : list.items()) {
            b.names.push_back(name);
        }
    } else {
        b.names = services::strings(j, "branches");
    }
    const Json& def = j.contains("default") ? j["default"] : Json();
    if (def.is_string()) {
        b.default_branch = def.get<std::string>();
    } else if (def.is_object() && !def.empty()) {
        b.default_branch = def.begin().key();
    }
    return b;
}

IssuePage issue_page_from_json(const Json& j) {
    services::expect_object(j, "an issue list");
    IssuePage page;
    for (const auto& i : services::array(j, "issues")) {
        page.issues.push_back(issue_from_json(i));
    }
    const Json& p = services::object(j, "pagination");
    if (!p.is_null()) {
        page.more = !services::str(p, "next").empty();
    }
    return page;
}

}  // namespace flr::pagure
