// Pagure API v0: pagure.io (tickets) and src.fedoraproject.org (dist-git) speak the same API.
// Projects are named by their full name: "releng", "rpms/nethack", "releng/fedora-scm-requests".
#pragma once

#include <flr/export.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr {
class Config;
}

namespace flr::pagure {

struct User {
    std::string name;
    std::string fullname;
};

struct Comment {
    std::int64_t id = 0;
    std::string comment;
    User user;
    std::int64_t date_created = 0;  // unix time
};

struct Issue {
    std::int64_t id = 0;
    std::string title;
    std::string content;
    std::string status;        // "Open" or "Closed"
    std::string close_status;  // "Processed", ... ("" while open)
    std::vector<std::string> tags;
    User user;
    std::optional<User> assignee;
    std::int64_t date_created = 0;
    std::int64_t last_updated = 0;
    std::vector<Comment> comments;
};

struct IssueQuery {
    std::string status = "Open";  // "Open", "Closed" or "all"
    std::vector<std::string> tags;
    std::string author;  // "" for anyone
    std::string since;   // unix time or YYYY-MM-DD; "" for no limit
    int per_page = 100;  // Pagure's maximum
    int max_pages = 50;  // a guard against a server that never ends the list
};

struct Project {
    std::string name;
    std::string ns;  // "" for a top-level project
    std::string fullname;
    std::string description;
    std::vector<std::string> owners;      // access_users.owner
    std::vector<std::string> admins;      // access_users.admin
    std::vector<std::string> committers;  // access_users.commit
    std::vector<std::string> admin_groups;
    std::vector<std::string> commit_groups;
    // The main admin (first owner), "" when none.
    std::string main_admin() const { return owners.empty() ? std::string() : owners.front(); }
    // Fedora's convention: a package owned by the "orphan" user has no maintainer.
    bool orphaned() const { return main_admin() == "orphan"; }
};

struct NewProject {
    std::string ns;  // "rpms", ...
    std::string name;
    std::string description;
    std::string url;
    std::string default_branch;  // "" for the server's default
    bool create_readme = false;
};

struct Branches {
    std::vector<std::string> names;
    std::string default_branch;
};

// A collaborator: pushes only to branches matching one of `branches` (fnmatch patterns).
struct Collaborator {
    std::string name;
    std::vector<std::string> branches;
};

// Who may do what in a project (GET /api/0/<project>/contributors), users and groups.
struct Access {
    std::vector<std::string> admins;
    std::vector<std::string> committers;
    std::vector<Collaborator> collaborators;
    std::vector<std::string> admin_groups;
    std::vector<std::string> commit_groups;
    std::vector<Collaborator> collaborator_groups;
};

// Where a new branch starts: exactly one of the two.
struct BranchFrom {
    std::string branch;
    std::string commit;
};

class FLR_EXPORT Client {
public:
    virtual ~Client();

    // Tickets. Errors (404 ENOISSUE, 401, ...) throw RemoteError.
    virtual Issue issue(const std::string& project, std::int64_t id) = 0;
    virtual std::vector<Issue> issues(const std::string& project, const IssueQuery& query) = 0;
    virtual void comment(const std::string& project, std::int64_t id, const std::string& body) = 0;
    // status "Closed" with a close_status ("Processed", "Invalid", "Denied"), or "Open".
    virtual void set_status(const std::string& project, std::int64_t id, const std::string& status,
                            const std::string& close_status) = 0;

    // Projects: nullopt when Pagure answers 404 (ENOPROJECT).
    virtual std::optional<Project> project(const std::string& fullname) = 0;
    virtual void create_project(const NewProject& project) = 0;
    virtual void set_main_admin(const std::string& fullname, const std::string& user) = 0;
    // Whether the instance has an account `name` (GET /api/0/users?pattern=name).
    virtual bool user_exists(const std::string& name);

    // Git.
    virtual void create_branch(const std::string& fullname, const std::string& branch, const BranchFrom& from) = 0;
    virtual Branches branches(const std::string& fullname) = 0;
    // Branch name -> head commit (GET .../git/branches?with_commits=true).
    virtual std::map<std::string, std::string> branch_heads(const std::string& fullname) = 0;
    // The project's contributors by access level; nullopt when the project does not exist.
    virtual std::optional<Access> access(const std::string& fullname) = 0;
    // A file at a ref (e.g. "dead.package" on "rawhide"); nullopt when it does not exist.
    virtual std::optional<std::string> raw_file(const std::string& fullname, const std::string& ref,
                                                const std::string& path) = 0;

    // dist-git's monitoring setting: "no-monitoring", "monitoring", "monitoring-with-scratch".
    virtual std::string monitoring(const std::string& fullname) = 0;
    virtual void set_monitoring(const std::string& fullname, const std::string& status) = 0;

    // Web address of a ticket or project, for messages.
    virtual std::string issue_url(const std::string& project, std::int64_t id) const = 0;
};

// A client for the flr.yaml(5) section `section` ("pagure" or "distgit"):
// url, token_file (optional: without it only reads work), and the http settings.
FLR_EXPORT std::unique_ptr<Client> connect(const Config& config, std::string_view section = "pagure");

// Strict names, as a sudo rule can pin them.
FLR_EXPORT bool valid_project_name(std::string_view fullname);

}  // namespace flr::pagure
