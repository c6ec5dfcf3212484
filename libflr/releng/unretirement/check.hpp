// Private: the unretirement check. It gathers what a release engineer looks at
// (ownership, per-branch retirement and Koji state, the review bug) into a report
// and decides a verdict under the policy.
#pragma once

#include "releng/ports.hpp"
#include "releng/unretirement/policy.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng::unretirement {

// In order of precedence: a refusal outranks a missing review, which outranks manual work.
enum class Verdict { automatic, manual, needs_review, refuse };

// "auto", "manual", "needs-review", "refuse"
const char* verdict_name(Verdict verdict);

struct Reason {
    Verdict verdict;
    std::string text;
};

struct TagState {
    std::string tag;
    std::optional<bool> blocked;  // nullopt: the tag has no entry for the package
};

struct BranchReport {
    std::string name;
    BranchState state;
    std::optional<int> age_days;  // of the retirement commit
    bool legal = false;           // legal or licence reason
    std::vector<TagState> tags;
};

struct ReviewReport {
    std::int64_t id = 0;
    std::string source;            // where the bug was found: "the ticket body", "a comment by jdoe", ...
    std::optional<ReviewBug> bug;  // nullopt: not found
    bool approved = false;
    std::vector<std::string> problems;
};

struct CheckRequest {
    RepoRef repo;
    std::vector<std::string> branches;  // empty: rawhide
    std::optional<std::int64_t> bug;
    std::string requester;
    std::string ticket_url;
    // flr-unretire re-checks after a partial run: a branch whose retirement was already
    // reverted counts as done, not as "not retired".
    bool resuming = false;
    std::string bug_source{};  // where the bug was named ("the ticket body", "a comment by jdoe", "--bug")
    std::string author{};      // the ticket's author: an orphan goes to them, or to a packager they named
};

struct CheckReport {
    RepoRef repo;
    std::string ticket_url;
    std::string requester;
    std::string author;
    std::optional<bool> requester_exists;  // checked for an orphan only
    std::string phase;
    int max_age_days = 56;
    std::optional<ProjectInfo> project;  // nullopt: unknown package
    std::vector<BranchReport> branches;
    std::optional<ReviewReport> review;
    std::string malformed;  // set when the ticket could not be read as a request
    Verdict verdict = Verdict::manual;
    std::vector<Reason> reasons;
};

CheckReport check(const CheckRequest& request, const Policy& policy, Ports& ports);

// The report for a ticket that names an unretirement but cannot be read.
CheckReport malformed_report(const std::string& reason, const std::string& ticket_url, const Policy& policy);

// A legal or licence reason in a retirement reason or message.
bool legal_reason(const std::string& text);

}  // namespace flr::releng::unretirement
