// Private: the unretirement itself. Every step first looks at the current state, so a
// second run changes nothing and a run after a failure finishes the job; the steps taken
// (done, already done, would be done, failed, not run) are the record of what happened.
#pragma once

#include "releng/unretire_check.hpp"

#include <exception>
#include <string>
#include <vector>

namespace flr::releng {

enum class StepStatus { done, already, would, skipped, failed, not_run };

const char* step_status_name(StepStatus status);

struct Step {
    std::string what;  // "git rawhide", "koji f44", "owner", "ticket"
    StepStatus status = StepStatus::not_run;
    std::string detail;
};

struct UnretireOptions {
    bool dry_run = false;
    bool force = false;  // act even when the verdict is not auto
};

struct UnretireResult {
    CheckReport report;
    std::vector<Step> steps;
    bool changed = false;        // something was changed (or would be, in a dry run)
    std::exception_ptr failure;  // the error that stopped the run, if any
};

// Throws Error (exit 1) when the verdict is not auto and options.force is not set.
UnretireResult unretire(const CheckRequest& request, std::int64_t ticket_id, const Policy& policy, Ports& ports,
                        const UnretireOptions& options);

std::string render_steps_markdown(const UnretireResult& result);

}  // namespace flr::releng
