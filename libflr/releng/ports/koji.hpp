// Private port: Koji's package lists (which packages a tag allows or blocks).
#pragma once

#include <optional>
#include <string>

namespace flr::releng {

class KojiPackagesPort {
public:
    virtual ~KojiPackagesPort() = default;
    // Whether `package` is blocked in `tag` (inherited); nullopt when the tag has no entry for it.
    virtual std::optional<bool> blocked(const std::string& tag, const std::string& package) = 0;
    virtual void unblock(const std::string& tag, const std::string& package) = 0;
};

}  // namespace flr::releng
