// Bodhi REST: query updates by release, status and push date, and the releases, all pages.
#pragma once

#include <flr/export.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flr {
class Config;
}

namespace flr::bodhi {

struct UpdateBuild {
    std::string nvr;
    std::string type;  // "rpm", "container", ...
    std::int64_t epoch = 0;
};

struct Update {
    std::string alias;  // FEDORA-2024-0123456789
    std::string status;
    std::string release;      // "F40"
    std::string date_pushed;  // "2024-03-05 12:00:00" (UTC), "" when never pushed
    std::string date_stable;
    std::int64_t pushed = 0;  // date_pushed as unix time
    std::vector<UpdateBuild> builds;
};

struct UpdateQuery {
    std::vector<std::string> releases;  // "F40", ...
    std::string status;                 // "stable", "testing", ... "" for any
    std::string pushed_since;           // "2024-03-01T00:00:00", "" for no limit
    std::vector<std::string> packages;
    int rows_per_page = 100;
    int max_pages = 100;
};

// One release of GET /releases/.
struct Release {
    std::string name;       // "F41", "F41C", "EPEL-9"
    std::string version;    // "41"
    std::string branch;     // "f41", "rawhide"
    std::string state;      // "current", "pending", "frozen", "archived", "disabled"
    std::string id_prefix;  // "FEDORA", "FEDORA-CONTAINER", "FEDORA-EPEL", ...
};

class FLR_EXPORT Client {
public:
    virtual ~Client();
    virtual std::vector<Update> updates(const UpdateQuery& query) = 0;
    // Every release Bodhi knows that is not archived, all pages.
    virtual std::vector<Release> releases() = 0;
};

// From flr.yaml(5) `bodhi:` {url} and the http settings.
FLR_EXPORT std::unique_ptr<Client> connect(const Config& config);

}  // namespace flr::bodhi
