#include "services/fasjson_decode.hpp"

namespace flr::fasjson {

using services::Json;

namespace {

const Json& result(const Json& j) {
    services::expect_object(j, "a FASJSON answer");
    auto it = j.find("result");
    if (it == j.end()) {
        throw services::Shape("no \"result\"");
    }
    return *it;
}

std::vector<std::string> names(const Json& j, const char* key) {
    const Json& list = result(j);
    if (!list.is_array()) {
        throw services::Shape("\"result\" is not a list");
    }
    std::vector<std::string> out;
    for (const auto& item : list) {
        services::expect_object(item, "a list entry");
        std::string name = services::str(item, key);
        if (name.empty()) {
            throw services::Shape(std::string("an entry without \"") + key + "\"");
        }
        out.push_back(name);
    }
    return out;
}

}  // namespace

User user_from_json(const Json& j) {
    const Json& r = result(j);
    services::expect_object(r, "a user");
    User u{services::str(r, "username"), services::strings(r, "emails"), services::str(r, "rhbzemail")};
    if (u.username.empty()) {
        throw services::Shape("a user without \"username\"");
    }
    return u;
}

std::vector<std::string> groups_from_json(const Json& j) {
    return names(j, "groupname");
}

std::vector<std::string> members_from_json(const Json& j) {
    return names(j, "username");
}

}  // namespace flr::fasjson
