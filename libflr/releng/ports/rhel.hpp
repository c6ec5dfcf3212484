// Private port: what RHEL ships (the pkg_el{N}.json lists): the arches of a release and
// the arches each package is built on there.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

struct RhelPackage {
    std::vector<std::string> release_arches;  // the release's "arches"
    std::vector<std::string> arches;          // the package's "arch"
};

class RhelPort {
public:
    virtual ~RhelPort() = default;
    // nullopt when RHEL `major` does not ship `package`.
    virtual std::optional<RhelPackage> package(int major, const std::string& package) = 0;
};

}  // namespace flr::releng
