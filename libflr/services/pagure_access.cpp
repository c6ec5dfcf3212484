#include "services/pagure_access.hpp"

#include <regex>

namespace flr::pagure {

using services::Json;

namespace {

std::vector<Collaborator> collaborators(const Json& level) {
    std::vector<Collaborator> out;
    for (const auto& c : services::array(level, "collaborators")) {
        services::expect_object(c, "a collaborator");
        Collaborator col{services::str(c, "user"), {}};
        if (col.name.empty()) {
            throw services::Shape("a collaborator without \"user\"");
        }
        static const std::regex sep("[\\s,]+");
        std::string branches = services::str(c, "branches");
        for (std::sregex_token_iterator it(branches.begin(), branches.end(), sep, -1), end; it != end; ++it) {
            if (it->length() > 0) {
                col.branches.push_back(*it);
            }
        }
        out.push_back(std::move(col));
    }
    return out;
}

}  // namespace

Access access_from_json(const Json& j) {
    services::expect_object(j, "a contributor list");
    const Json& users = services::object(j, "users");
    const Json& groups = services::object(j, "groups");
    Access a;
    if (!users.is_null()) {
        a.admins = services::strings(users, "admin");
        a.committers = services::strings(users, "commit");
        a.collaborators = collaborators(users);
    }
    if (!groups.is_null()) {
        a.admin_groups = services::strings(groups, "admin");
        a.commit_groups = services::strings(groups, "commit");
        a.collaborator_groups = collaborators(groups);
    }
    return a;
}

std::map<std::string, std::string> branch_heads_from_json(const Json& j) {
    services::expect_object(j, "a branch list");
    const Json& list = services::object(j, "branches");
    std::map<std::string, std::string> out;
    if (list.is_null()) {
        return out;
    }
    for (const auto& [name, hash] : list.items()) {
        if (!hash.is_string()) {
            throw services::Shape("a branch head that is not a commit");
        }
        out[name] = hash.get<std::string>();
    }
    return out;
}

}  // namespace flr::pagure
