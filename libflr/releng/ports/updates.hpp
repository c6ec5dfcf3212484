// Private port: Bodhi's stable updates and its list of releases.
#pragma once

#include <flr/bodhi.hpp>

#include <string>
#include <vector>

namespace flr::releng {

class UpdatesPort {
public:
    virtual ~UpdatesPort() = default;
    // Updates for `release` ("F41") pushed stable since `since` ("2024-03-01T10:00:00").
    virtual std::vector<bodhi::Update> stable_since(const std::string& release, const std::string& since) = 0;
    virtual std::vector<bodhi::Release> releases() = 0;
};

}  // namespace flr::releng
