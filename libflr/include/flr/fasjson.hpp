// FASJSON (fasjson.fedoraproject.org), the Fedora account system's JSON API: users, the
// groups they are in, and group members.
#pragma once

#include <flr/export.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flr {
class Config;
}

namespace flr::fasjson {

struct User {
    std::string username;
    std::vector<std::string> emails;
    std::string rhbzemail;  // "" when unset
};

class FLR_EXPORT Client {
public:
    virtual ~Client();
    // GET /v1/users/<name>/; nullopt on 404.
    virtual std::optional<User> user(const std::string& name) = 0;
    // GET /v1/users/<name>/groups/ (group names); empty on 404.
    virtual std::vector<std::string> groups(const std::string& name) = 0;
    // GET /v1/groups/<name>/members/ (user names); empty on 404.
    virtual std::vector<std::string> members(const std::string& group) = 0;
};

// From flr.yaml(5) `fasjson:` {url} and the http settings.
FLR_EXPORT std::unique_ptr<Client> connect(const Config& config);

}  // namespace flr::fasjson
