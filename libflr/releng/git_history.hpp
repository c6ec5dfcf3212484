// Private: the HistoryPort over dist-git's git repositories, built on flr::git (the one
// hardened git runner: argv only, --end-of-options, no hooks). Each repository is cloned
// once into a private temporary directory (removed at the end) from
// `<git_url>/<namespace>/<name>.git`; reads look at the remote-tracking branches,
// reverts are committed with the release-engineering identity and pushed.
#pragma once

#include "releng/ports/history.hpp"

#include <flr/git.hpp>

#include <map>
#include <memory>
#include <string>

namespace flr::releng {

class GitHistory : public HistoryPort {
public:
    // `base_url`: flr.yaml(5) distgit.git_url, e.g. "ssh://pkgs.fedoraproject.org".
    GitHistory(std::string base_url, git::Identity identity);
    ~GitHistory() override;
    GitHistory(const GitHistory&) = delete;
    GitHistory& operator=(const GitHistory&) = delete;

    BranchState branch(const RepoRef& repo, const std::string& branch) override;
    std::string revert(const RepoRef& repo, const std::string& branch, const std::string& commit,
                       const std::string& message) override;
    void fast_forward(const RepoRef& repo, const std::string& branch, const std::string& commit) override;

private:
    git::Repository& clone(const RepoRef& repo);

    std::string base_url_;
    git::Identity identity_;
    std::string root_;                                                // temporary directory holding the clones
    std::map<std::string, std::unique_ptr<git::Repository>> clones_;  // fullname -> clone
};

}  // namespace flr::releng
