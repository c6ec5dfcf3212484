// Private: the scm-request validation. Every rule of flr-check-scm-request(1), in order,
// each with its result, and the verdict they give together.
#pragma once

#include "releng/ports.hpp"
#include "releng/scm/policy.hpp"
#include "releng/scm/request.hpp"

#include <optional>
#include <string>
#include <vector>

namespace flr::releng::scm {

// In order of precedence: an invalid request outranks a refusal, which outranks a wait.
enum class Verdict { valid, needs_approval, denied, invalid };

// "valid", "needs-approval", "denied", "invalid"
const char* verdict_name(Verdict verdict);

enum class Outcome { pass, fail, skipped };

// "ok", "FAILED", "skipped"
const char* outcome_name(Outcome outcome);

struct Check {
    std::string rule;  // "namespace", "name", "review: component", ...
    Outcome outcome = Outcome::pass;
    Verdict on_fail = Verdict::invalid;  // what a failure means
    std::string message;
};

struct CheckInput {
    ScmRequest request;
    std::string author;  // the ticket's author, the requester
    std::string ticket_url;
    std::vector<TicketComment> comments;
    // A run after a failure: what the earlier run created counts as done, not as a conflict.
    bool resuming = false;
};

struct Report {
    ScmRequest request;
    std::string author;
    std::string ticket_url;
    std::vector<Check> checks;
    Verdict verdict = Verdict::valid;
    std::vector<std::string> approvers;  // who may approve, for needs-approval
    std::string approved_by;             // who approved the exception, if anyone
    std::vector<std::string> warnings;

    std::vector<std::string> reasons() const;  // the failed checks' messages
};

Report check(const CheckInput& input, const Policy& policy, Ports& ports);

// The report for a ticket that looks like a request but cannot be read as one.
Report malformed_report(const std::vector<std::string>& problems, const std::string& author,
                        const std::string& ticket_url);

// Whether RHEL `major` ships `rhel` on every arch that counts (so EPEL may not): the
// package is noarch-only, or built on each of the release's arches except noarch, ppc
// and i686 (i386 for EL6).
bool rhel_ships_everywhere(int major, const RhelPackage& rhel);

// The EPEL major of "epel9", "epel10.1" or "epel9-next"; nullopt for other branches.
std::optional<int> epel_major(const std::string& branch);

// The refusal fedpkg gives for such a package.
extern const char* const epel_refusal;

// The seven monitoring values dist-git accepts.
bool valid_monitor(const std::string& value);

}  // namespace flr::releng::scm
