// The lists of packages RHEL ships (pkg_el{N}.json, as fedpkg reads them from
// infrastructure.fedoraproject.org/repo/json/): a release's arches and each package's.
#pragma once

#include <flr/export.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flr {
class Config;
}

namespace flr::pkg_el {

struct Release {
    std::vector<std::string> arches;                           // "arches"
    std::map<std::string, std::vector<std::string>> packages;  // packages[name].arch
};

class FLR_EXPORT Client {
public:
    virtual ~Client();
    // pkg_el<major>.json; nullopt on 404 (no list for that release).
    virtual std::optional<Release> release(int major) = 0;
};

// From flr.yaml(5) `rhel_packages:` {url: the directory holding the pkg_el{N}.json files}.
FLR_EXPORT std::unique_ptr<Client> connect(const Config& config);

}  // namespace flr::pkg_el
