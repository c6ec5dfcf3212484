// Private: reading fedora-scm-requests tickets as `fedpkg request-repo` and
// `fedpkg request-branch` file them.
//
// Title `New Repo for "<ns>/<repo>"` or `New Branch "<b>" for "<ns>/<repo>"`, body a JSON
// object in a ``` fence with the keys fedpkg writes (flr-check-scm-request(1)):
//  new_repo:   action, repo, branch, namespace, bug_id, description, summary, upstreamurl,
//              monitor, exception, initial_commit, sls (the tests namespace writes only
//              action, branch, bug_id, monitor, namespace, repo, description);
//  new_branch: action, repo, branch, namespace, create_git_branch, sls.
#pragma once

#include "releng/ports/repo.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng::scm {

enum class Action { new_repo, new_branch };

// "new_repo", "new_branch"
const char* action_name(Action action);

struct ScmRequest {
    Action action = Action::new_repo;
    RepoRef repo;
    std::string branch;  // new_repo: the extra branch to create besides rawhide ("" or rawhide for none)
    std::optional<std::int64_t> bug;
    std::string description;
    std::string summary;
    std::string upstream_url;
    std::string monitor;  // new_repo
    bool exception = false;
    bool initial_commit = true;
    bool create_git_branch = true;           // new_branch
    std::map<std::string, std::string> sls;  // service level name -> "YYYY-MM-DD" as written
};

struct TicketParse {
    enum class Kind { request, other, malformed };
    Kind kind = Kind::other;
    ScmRequest request;                 // for Kind::request
    std::vector<std::string> problems;  // for Kind::malformed: every reason, in order
};

// A ticket that neither has a request title nor a fenced JSON body with an `action` is
// `other`; one that has either but cannot be read as a request is `malformed`.
TicketParse parse_ticket(const std::string& title, const std::string& body);

}  // namespace flr::releng::scm
