// Private port: dist-git repositories as a whole: creating them, their branches (with
// their heads), who may push to which branch, and their release monitoring.
#pragma once

#include "releng/ports/repo.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

// A collaborator: may push only to branches matching one of the patterns (fnmatch, "f4*").
struct Collaborator {
    std::string name;
    std::vector<std::string> branches;
};

// dist-git project access: users and groups at each level.
struct ProjectAccess {
    std::string main_admin;
    std::vector<std::string> admins;      // users (the main admin included)
    std::vector<std::string> committers;  // users
    std::vector<Collaborator> collaborators;
    std::vector<std::string> admin_groups;
    std::vector<std::string> commit_groups;
    std::vector<Collaborator> collaborator_groups;
};

struct NewRepo {
    RepoRef repo;
    std::string description;
    std::string upstream_url;
    std::string default_branch = "rawhide";
    bool initial_commit = true;  // create the repo with a first commit (a README)
};

class ReposPort {
public:
    virtual ~ReposPort() = default;
    // nullopt when the repository does not exist.
    virtual std::optional<ProjectAccess> access(const RepoRef& repo) = 0;
    // Branch name -> head commit; empty for a repository without branches.
    virtual std::map<std::string, std::string> branches(const RepoRef& repo) = 0;
    virtual void create(const NewRepo& repo) = 0;
    virtual void create_branch(const RepoRef& repo, const std::string& branch, const std::string& from_commit) = 0;
    virtual void set_main_admin(const RepoRef& repo, const std::string& user) = 0;
    virtual std::string monitoring(const RepoRef& repo) = 0;
    virtual void set_monitoring(const RepoRef& repo, const std::string& value) = 0;
    // The repository's web address.
    virtual std::string url(const RepoRef& repo) const = 0;
};

}  // namespace flr::releng
