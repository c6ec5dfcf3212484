// Bugzilla REST (bugzilla.redhat.com): read a bug with its flags, add a comment.
#pragma once

#include <flr/export.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flr {
class Config;
}

namespace flr::bugzilla {

struct Flag {
    std::int64_t id = 0;
    std::string name;               // "fedora-review"
    std::string status;             // "+", "-", "?"
    std::string setter;             // e-mail address (hidden by Bugzilla without an API key)
    std::string creation_date;      // as sent: "2017-04-20T09:00:00Z"
    std::string modification_date;  // as sent
    std::int64_t modified = 0;      // modification_date as unix time
};

struct Bug {
    std::int64_t id = 0;
    std::string summary;
    std::string product;
    std::string component;  // the first one when Bugzilla sends a list
    std::string status;
    std::string resolution;
    std::string creator;
    std::string assigned_to;
    std::string creation_time;
    std::string last_change_time;
    std::vector<Flag> flags;
    // The flag called `name`, if set.
    const Flag* flag(const std::string& name) const {
        for (const auto& f : flags) {
            if (f.name == name) {
                return &f;
            }
        }
        return nullptr;
    }
};

class FLR_EXPORT Client {
public:
    virtual ~Client();
    // nullopt when the bug does not exist (Bugzilla error 101).
    virtual std::optional<Bug> bug(std::int64_t id) = 0;
    // The texts of the bug's comments, oldest first (GET /rest/bug/<id>/comment).
    virtual std::vector<std::string> comments(std::int64_t id) = 0;
    // Returns the new comment's id.
    virtual std::int64_t add_comment(std::int64_t id, const std::string& text, bool is_private = false) = 0;
};

// From flr.yaml(5) `bugzilla:` {url, api_key_file} and the http settings.
FLR_EXPORT std::unique_ptr<Client> connect(const Config& config);

}  // namespace flr::bugzilla
