#include "releng/git_history.hpp"

#include <flr/error.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace flr::releng {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

std::string remote(const std::string& branch) {
    return "refs/remotes/origin/" + branch;
}

// The newest commit on `ref` that added dead.package (present there, absent in its parent).
std::optional<RetirementCommit> retirement(git::Repository& repo, const std::string& ref) {
    for (const auto& c : repo.log(ref, "dead.package")) {
        auto reason = repo.show(c.hash, "dead.package");
        if (!reason || repo.show(c.hash + "^", "dead.package")) {
            continue;
        }
        RetirementCommit rc;
        rc.hash = c.hash;
        rc.time = c.date;
        rc.author = c.author_name + " <" + c.author_email + ">";
        rc.reason = trim(*reason);
        rc.message = c.body.empty() ? c.subject : c.subject + "\n\n" + c.body;
        return rc;
    }
    return std::nullopt;
}

}  // namespace

GitHistory::GitHistory(std::string base_url, git::Identity identity)
    : base_url_(std::move(base_url)), identity_(std::move(identity)) {}

GitHistory::~GitHistory() {
    clones_.clear();
    if (!root_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
}

git::Repository& GitHistory::clone(const RepoRef& repo) {
    auto it = clones_.find(repo.fullname());
    if (it != clones_.end()) {
        return *it->second;
    }
    if (root_.empty()) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "flr-distgit-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw SystemError("mkdtemp", errno);
        }
        root_ = tmpl;
    }
    auto clone =
        git::clone(git::clone_url(base_url_, repo.fullname()), root_ + "/" + repo.ns + "-" + repo.name, identity_);
    return *(clones_[repo.fullname()] = std::move(clone));
}

BranchState GitHistory::branch(const RepoRef& repo, const std::string& branch) {
    git::Repository& git = clone(repo);
    auto names = git.remote_branches();
    if (std::find(names.begin(), names.end(), branch) == names.end()) {
        return BranchState{};
    }
    BranchState s;
    std::string ref = remote(branch);
    auto head = git.log(ref, {}, 1);
    if (head.empty()) {
        return BranchState{};
    }
    s.exists = true;
    s.head = head.front().hash;
    s.dead_package = git.show(ref, "dead.package").has_value();
    s.retirement = retirement(git, ref);
    return s;
}

std::string GitHistory::revert(const RepoRef& repo, const std::string& branch, const std::string& commit,
                               const std::string& message) {
    git::Repository& git = clone(repo);
    git.checkout(branch);
    std::string head = git.revert(commit, message);
    git.push();
    return head;
}

void GitHistory::fast_forward(const RepoRef& repo, const std::string& branch, const std::string& commit) {
    git::Repository& git = clone(repo);
    git.checkout(branch);
    git.fast_forward(commit);
    git.push();
}

}  // namespace flr::releng
