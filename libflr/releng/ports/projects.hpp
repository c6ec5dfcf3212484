// Private port: dist-git's project side (src.fedoraproject.org): projects, their owners
// and users.
#pragma once

#include "releng/ports/repo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

struct ProjectInfo {
    std::string owner;  // main admin; "orphan" when orphaned
    std::vector<std::string> admins;
};

class ProjectsPort {
public:
    virtual ~ProjectsPort() = default;
    // nullopt when the project does not exist.
    virtual std::optional<ProjectInfo> project(const RepoRef& repo) = 0;
    // Whether dist-git has an account `user`.
    virtual bool user_exists(const std::string& user) = 0;
    // Make `user` the main admin.
    virtual void give(const RepoRef& repo, const std::string& user) = 0;
};

}  // namespace flr::releng
