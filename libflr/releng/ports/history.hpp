// Private port: the git history of dist-git branches: what a branch holds, and the
// changes made to it (reverts, fast-forwards), each pushed.
#pragma once

#include "releng/ports/repo.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace flr::releng {

// The commit that added dead.package on a branch.
struct RetirementCommit {
    std::string hash;
    std::int64_t time = 0;  // commit date, unix time
    std::string author;     // "Name <email>"
    std::string reason;     // dead.package content at that commit
    std::string message;    // the commit message
};

struct BranchState {
    bool exists = false;
    std::string head;           // commit hash at the branch head
    bool dead_package = false;  // dead.package at the head
    // The latest commit that added dead.package, even when a later commit removed it.
    std::optional<RetirementCommit> retirement;
};

class HistoryPort {
public:
    virtual ~HistoryPort() = default;
    virtual BranchState branch(const RepoRef& repo, const std::string& branch) = 0;
    // Revert `commit` on `branch` (signed off, with `message`) and push; returns the new head.
    virtual std::string revert(const RepoRef& repo, const std::string& branch, const std::string& commit,
                               const std::string& message) = 0;
    // Move `branch` forward to `commit` (a descendant of its head) and push.
    virtual void fast_forward(const RepoRef& repo, const std::string& branch, const std::string& commit) = 0;
};

}  // namespace flr::releng
