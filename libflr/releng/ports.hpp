// Private: the narrow interfaces ("ports") the release-engineering rules need from the
// outside world. The rules see only these; adapters map them onto the service clients
// and git, and unit tests replace them with in-memory fakes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

// A dist-git repository: namespace and name ("rpms", "nethack").
struct RepoRef {
    std::string ns;
    std::string name;
    std::string fullname() const { return ns + "/" + name; }
};

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

class DistGitPort {
public:
    virtual ~DistGitPort() = default;
    virtual BranchState branch(const RepoRef& repo, const std::string& branch) = 0;
    // Revert `commit` on `branch` (signed off, with `message`) and push; returns the new head.
    virtual std::string revert(const RepoRef& repo, const std::string& branch, const std::string& commit,
                               const std::string& message) = 0;
    // Move `branch` forward to `commit` (a descendant of its head) and push.
    virtual void fast_forward(const RepoRef& repo, const std::string& branch, const std::string& commit) = 0;
};

class KojiPort {
public:
    virtual ~KojiPort() = default;
    // Whether `package` is blocked in `tag` (inherited); nullopt when the tag has no entry for it.
    virtual std::optional<bool> blocked(const std::string& tag, const std::string& package) = 0;
    virtual void unblock(const std::string& tag, const std::string& package) = 0;
};

struct ReviewFlag {
    std::string status;  // "+", "?", "-"
    std::string setter;
    std::string date;  // ISO 8601 as Bugzilla gives it
};

struct ReviewBug {
    std::int64_t id = 0;
    std::string summary;
    std::string product;
    std::string component;
    std::string status;
    std::string creator;
    std::string assignee;
    std::optional<ReviewFlag> fedora_review;
};

class BugzillaPort {
public:
    virtual ~BugzillaPort() = default;
    // nullopt when the bug does not exist (or is not visible).
    virtual std::optional<ReviewBug> bug(std::int64_t id) = 0;
};

struct ProjectInfo {
    std::string owner;  // main admin; "orphan" when orphaned
    std::vector<std::string> admins;
};

// dist-git's project side (src.fedoraproject.org).
class PackagesPort {
public:
    virtual ~PackagesPort() = default;
    // nullopt when the project does not exist.
    virtual std::optional<ProjectInfo> project(const RepoRef& repo) = 0;
    virtual void give(const RepoRef& repo, const std::string& user) = 0;
};

struct TicketComment {
    std::string author;
    std::string text;
};

struct Ticket {
    std::int64_t id = 0;
    std::string url;
    std::string title;
    std::string body;
    std::string author;
    bool open = true;
    std::string close_status;
    std::vector<TicketComment> comments;
};

// The releng ticket queue (pagure.io).
class TicketsPort {
public:
    virtual ~TicketsPort() = default;
    virtual Ticket ticket(std::int64_t id) = 0;
    virtual std::string url(std::int64_t id) const = 0;
    virtual void comment(std::int64_t id, const std::string& text) = 0;
    virtual void close(std::int64_t id, const std::string& close_status) = 0;
};

// Everything the unretirement rules talk to, plus the clock.
struct Ports {
    DistGitPort* distgit = nullptr;
    KojiPort* koji = nullptr;
    BugzillaPort* bugzilla = nullptr;
    PackagesPort* packages = nullptr;
    TicketsPort* tickets = nullptr;
    std::int64_t now = 0;  // unix time
};

}  // namespace flr::releng
