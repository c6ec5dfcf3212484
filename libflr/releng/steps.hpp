// Private: the idempotent, state-checking step runner every workflow acts through.
//
// A workflow plans its steps (a name and a function each). Each function first looks at
// the current state and says so: already done, skipped, or changed (done; "would do" in a
// dry run). So a second run changes nothing, and a run after a failure finishes the job.
// The runner stops at the first step that throws, marks it failed and keeps the error;
// the steps after it stay "not run". The record is what a report or a ticket comment shows.
#pragma once

#include <nlohmann/json.hpp>

#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace flr::releng {

enum class StepStatus { done, already, would, skipped, failed, not_run };

// "done", "already done", "would do", "skipped", "FAILED", "not run"
const char* step_status_name(StepStatus status);

struct Step {
    std::string what;  // "git rawhide", "koji f44", "owner", "ticket"
    StepStatus status = StepStatus::not_run;
    std::string detail;
};

struct StepRecord {
    std::vector<Step> steps;
    bool changed = false;        // something was changed (or would be, in a dry run)
    std::exception_ptr failure;  // the error that stopped the run, if any
    std::string failed_step;     // its step's name

    // The failed step's detail (the error's message), "" when none failed.
    std::string failed_detail() const;
};

// What a step's function reports through.
class StepContext {
public:
    StepContext(Step& step, StepRecord& record, bool dry_run) : step_(step), record_(record), dry_run_(dry_run) {}

    // In a dry run a step changes nothing and says what it would do.
    bool dry_run() const noexcept { return dry_run_; }
    // The state is already what the step makes it.
    void already(std::string detail);
    // The step does not apply.
    void skipped(std::string detail);
    // The step changed something (or would have, in a dry run).
    void changed(std::string detail);
    // Record the step as done before its last action, for an action that shows the record
    // itself (a ticket comment listing the steps).
    void announce(std::string detail);
    const StepRecord& record() const noexcept { return record_; }

private:
    Step& step_;
    StepRecord& record_;
    bool dry_run_;
};

struct PlannedStep {
    std::string what;
    std::function<void(StepContext&)> run;
};

// Runs `plan` in order into `record` (which may already hold earlier steps); calls
// `on_failure` with the record when a step fails.
void run_steps(const std::vector<PlannedStep>& plan, bool dry_run, StepRecord& record,
               const std::function<void(const StepRecord&)>& on_failure = {});

// "- what: status (detail)" lines for a ticket comment: the details made inert for
// Markdown, with no URL in them (public_text).
std::string steps_markdown(const std::vector<Step>& steps);
// "what: status (detail)" lines for a terminal.
std::string steps_text(const std::vector<Step>& steps);
// [{"step", "status", "detail"}, ...]
nlohmann::json steps_json(const std::vector<Step>& steps);

}  // namespace flr::releng
