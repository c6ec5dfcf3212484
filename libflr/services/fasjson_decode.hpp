// Private: FASJSON answers ({"result": ...}) -> flr types. Throws services::Shape.
#pragma once

#include "services/decode.hpp"

#include <flr/fasjson.hpp>

namespace flr::fasjson {
User user_from_json(const services::Json& j);
// {"result": [{"groupname": ...}]} -> names
std::vector<std::string> groups_from_json(const services::Json& j);
// {"result": [{"username": ...}]} -> names
std::vector<std::string> members_from_json(const services::Json& j);
}  // namespace flr::fasjson
