// Private: the DistGitPort over real git. Each repository is cloned once into a private
// temporary directory (removed at the end); reads look at the remote-tracking branches,
// reverts are committed with the release-engineering identity and pushed.
#pragma once

#include "core/fs.hpp"
#include "releng/ports.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

class GitDistGit : public DistGitPort {
public:
    // `url_template` names the repository: "{fullname}", "{namespace}" and "{package}" are replaced,
    // e.g. "ssh://pkgs.fedoraproject.org/{namespace}/{package}.git".
    GitDistGit(std::string url_template, std::string name, std::string email);
    ~GitDistGit() override;
    GitDistGit(const GitDistGit&) = delete;
    GitDistGit& operator=(const GitDistGit&) = delete;

    BranchState branch(const RepoRef& repo, const std::string& branch) override;
    std::string revert(const RepoRef& repo, const std::string& branch, const std::string& commit,
                       const std::string& message) override;
    void fast_forward(const RepoRef& repo, const std::string& branch, const std::string& commit) override;

private:
    const std::string& clone(const RepoRef& repo);
    std::string git(const std::string& dir, const std::vector<std::string>& args, bool* ok = nullptr);

    std::string url_template_;
    std::string name_;
    std::string email_;
    std::optional<fs::TempDir> root_;            // holds the clones
    std::map<std::string, std::string> clones_;  // fullname -> work tree
};

}  // namespace flr::releng
