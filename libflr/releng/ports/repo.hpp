// Private: the name of a dist-git repository, shared by every port that speaks of one.
#pragma once

#include <string>

namespace flr::releng {

// A dist-git repository: namespace and name ("rpms", "nethack").
struct RepoRef {
    std::string ns;
    std::string name;
    std::string fullname() const { return ns + "/" + name; }
};

}  // namespace flr::releng
