#include "releng/distgit_git.hpp"

#include "core/process.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace flr::releng {

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
    return text;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

}  // namespace

GitDistGit::GitDistGit(std::string url_template, std::string name, std::string email)
    : url_template_(std::move(url_template)), name_(std::move(name)), email_(std::move(email)) {}

GitDistGit::~GitDistGit() = default;

std::string GitDistGit::git(const std::string& dir, const std::vector<std::string>& args, bool* ok) {
    process::Spec spec;
    spec.argv = {"git"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = dir;
    spec.env = process::minimal_env({"SSH_AUTH_SOCK", "GIT_SSH_COMMAND", "KRB5CCNAME"});
    for (const auto& kv : {"GIT_AUTHOR_NAME=" + name_, "GIT_AUTHOR_EMAIL=" + email_, "GIT_COMMITTER_NAME=" + name_,
                           "GIT_COMMITTER_EMAIL=" + email_, std::string("GIT_TERMINAL_PROMPT=0"),
                           std::string("GIT_CONFIG_NOSYSTEM=1")}) {
        spec.env.push_back(kv);
    }
    auto r = process::run(spec, std::chrono::minutes(10));
    if (ok != nullptr) {
        *ok = r.ok();
        return r.out;
    }
    if (!r.ok()) {
        throw RemoteError("git", fmt::format("git {} failed ({}): {}", args.front(), r.describe(), trim(r.err)));
    }
    return r.out;
}

const std::string& GitDistGit::clone(const RepoRef& repo) {
    auto it = clones_.find(repo.fullname());
    if (it != clones_.end()) {
        return it->second;
    }
    if (!root_) {
        root_.emplace("flr-distgit");
    }
    std::string url = replace_all(url_template_, "{fullname}", repo.fullname());
    url = replace_all(replace_all(url, "{namespace}", repo.ns), "{package}", repo.name);
    std::string dir = root_->file(repo.ns + "-" + repo.name);
    git(root_->path(), {"clone", "--quiet", "--no-checkout", "--", url, dir});
    return clones_[repo.fullname()] = dir;
}

BranchState GitDistGit::branch(const RepoRef& repo, const std::string& branch) {
    const std::string& dir = clone(repo);
    BranchState s;
    std::string ref = "refs/remotes/origin/" + branch;
    bool ok = false;
    s.head = trim(git(dir, {"rev-parse", "--verify", "--quiet", ref + "^{commit}"}, &ok));
    if (!ok) {
        return BranchState{};
    }
    s.exists = true;
    git(dir, {"cat-file", "-e", ref + ":dead.package"}, &s.dead_package);
    std::string log =
        git(dir, {"log", "-1", "--diff-filter=A", "--format=%H%x00%ct%x00%an <%ae>%x00%B", ref, "--", "dead.package"});
    auto f1 = log.find('\0');
    auto f2 = log.find('\0', f1 + 1);
    auto f3 = log.find('\0', f2 + 1);
    if (f3 != std::string::npos) {
        RetirementCommit rc;
        rc.hash = log.substr(0, f1);
        rc.time = std::stoll(log.substr(f1 + 1, f2 - f1 - 1));
        rc.author = log.substr(f2 + 1, f3 - f2 - 1);
        rc.message = trim(log.substr(f3 + 1));
        rc.reason = trim(git(dir, {"show", rc.hash + ":dead.package"}));
        s.retirement = rc;
    }
    return s;
}

std::string GitDistGit::revert(const RepoRef& repo, const std::string& branch, const std::string& commit,
                               const std::string& message) {
    const std::string& dir = clone(repo);
    git(dir, {"checkout", "--quiet", "-B", branch, "refs/remotes/origin/" + branch});
    git(dir, {"revert", "--no-commit", commit});
    git(dir, {"commit", "--quiet", "--signoff", "-m", message, "-m", "This reverts commit " + commit + "."});
    git(dir, {"push", "--quiet", "origin", "HEAD:refs/heads/" + branch});
    git(dir, {"fetch", "--quiet", "origin"});
    return trim(git(dir, {"rev-parse", "HEAD"}));
}

void GitDistGit::fast_forward(const RepoRef& repo, const std::string& branch, const std::string& commit) {
    const std::string& dir = clone(repo);
    git(dir, {"push", "--quiet", "origin", commit + ":refs/heads/" + branch});
    git(dir, {"fetch", "--quiet", "origin"});
}

}  // namespace flr::releng
