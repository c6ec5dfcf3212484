// Private: the unretirement itself, through the kernel's step runner (releng/steps.hpp):
// revert the retirement on each branch, unblock in Koji, give an orphan to the requester,
// comment and close the ticket.
#pragma once

#include "releng/steps.hpp"
#include "releng/unretirement/check.hpp"

#include <string>
#include <vector>

namespace flr::releng::unretirement {

struct UnretireOptions {
    bool dry_run = false;
    bool force = false;  // act even when the verdict is not auto
};

struct UnretireResult : StepRecord {
    CheckReport report;
};

// Throws Error (exit 1) when the verdict is not auto and options.force is not set.
UnretireResult unretire(const CheckRequest& request, std::int64_t ticket_id, const Policy& policy, Ports& ports,
                        const UnretireOptions& options);

std::string render_steps_markdown(const UnretireResult& result);

}  // namespace flr::releng::unretirement
