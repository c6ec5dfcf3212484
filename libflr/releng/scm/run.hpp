// Private: the scm-request actions through the kernel's step runner (releng/steps.hpp).
// new_repo: create the repository, set its main admin and monitoring, create the extra
// branch, comment on the review bug, comment and close the ticket. new_branch: create the
// branch at rawhide's head, comment and close the ticket. Each step looks first, so a
// re-run changes nothing and a run after a failure finishes the job.
#pragma once

#include "releng/scm/check.hpp"
#include "releng/steps.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace flr::releng::scm {

struct RunResult : StepRecord {
    Report report;
};

// The steps of a valid request. `ticket` 0: no ticket steps (flr-create-repo).
std::vector<PlannedStep> repo_steps(const ScmRequest& req, const std::string& main_admin, Ports& ports);
std::vector<PlannedStep> branch_steps(const RepoRef& repo, const std::string& branch, const std::string& from,
                                      Ports& ports);

// Runs a valid request's steps, then comments and closes the ticket as Processed. A failure
// is recorded on the ticket (a comment opening with stopped_heading).
RunResult process(const Report& report, std::int64_t ticket, const Policy& policy, Ports& ports, bool dry_run);

std::string render_steps_markdown(const RunResult& result, const std::string& bot);

// The text of the review bug comment for a new repository.
std::string bug_comment(const std::string& repo_url);

}  // namespace flr::releng::scm
