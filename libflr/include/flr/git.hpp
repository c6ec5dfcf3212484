// A local clone of a git repository (dist-git), driven through the real `git`
// binary with an argv and a minimal environment, never through a shell.
#pragma once

#include <flr/export.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flr {
class Config;
}

namespace flr::git {

struct Commit {
    std::string hash;
    std::string author_name;
    std::string author_email;
    std::int64_t date = 0;  // author date, unix time
    std::string subject;
    std::string body;  // the message after the subject line
};

// Who commits: Fedora's release engineering identity by default.
struct Identity {
    std::string name = "Fedora Release Engineering";
    std::string email = "releng@fedoraproject.org";
};

class FLR_EXPORT Repository {
public:
    virtual ~Repository();

    virtual const std::string& path() const = 0;
    // Check out `branch` as it is on the remote ("origin"); throws Error if it is not there.
    virtual void checkout(const std::string& branch) = 0;
    virtual std::vector<std::string> remote_branches() = 0;
    virtual std::string head() = 0;
    // Newest first; `path` limits to commits touching it; `max` 0 for all.
    virtual std::vector<Commit> log(const std::string& ref, const std::string& path = {}, int max = 0) = 0;
    // A file's content at a commit; nullopt when the file is not there.
    virtual std::optional<std::string> show(const std::string& ref, const std::string& path) = 0;
    // True when `ancestor` is reachable from `ref`.
    virtual bool contains(const std::string& ref, const std::string& ancestor) = 0;
    // `git revert` of `commit` on the checked-out branch, signed off, with `message`
    // (the reverted hash is added below it). Returns the new commit's hash.
    virtual std::string revert(const std::string& commit, const std::string& message) = 0;
    // Move the checked-out branch forward to `commit`, a descendant of its head; throws
    // Error when it is not one.
    virtual void fast_forward(const std::string& commit) = 0;
    // Push the checked-out branch to the same branch on the remote.
    virtual void push() = 0;
};

// The clone URL of a dist-git project: flr.yaml(5) `distgit.git_url`, a base URL, +
// "/<fullname>.git": ssh://pkgs.fedoraproject.org -> ssh://pkgs.fedoraproject.org/rpms/foo.git
// (file:// and a local directory of bare repos work too). Throws ConfigError when
// git_url is unset, UsageError for a name that could leave the base.
FLR_EXPORT std::string clone_url(const Config& config, const std::string& fullname);
FLR_EXPORT std::string clone_url(std::string base, const std::string& fullname);

// Clone `url` into the new directory `dir`. Throws RemoteError when git fails.
FLR_EXPORT std::unique_ptr<Repository> clone(const std::string& url, const std::string& dir,
                                             const Identity& identity = {});

}  // namespace flr::git
