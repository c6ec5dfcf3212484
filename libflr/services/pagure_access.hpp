// Private: dist-git's answers about access and branch heads -> flr types. Throws
// services::Shape.
#pragma once

#include "services/decode.hpp"

#include <flr/pagure.hpp>

#include <map>
#include <string>

namespace flr::pagure {

// GET /api/0/<project>/contributors:
// {"users": {"admin": [..], "commit": [..], "collaborators": [{"user": u, "branches": "f4*,epel*"}], "ticket": []},
//  "groups": {"admin": [..], "commit": [..], "collaborators": [{"user": g, "branches": ".."}], "ticket": []}}
Access access_from_json(const services::Json& j);

// GET .../git/branches?with_commits=true: {"branches": {name: commit}, ...}
std::map<std::string, std::string> branch_heads_from_json(const services::Json& j);

}  // namespace flr::pagure
