#include "releng/steps.hpp"

#include "releng/markdown.hpp"

#include <fmt/format.h>

namespace flr::releng {

const char* step_status_name(StepStatus status) {
    switch (status) {
        case StepStatus::done:
            return "done";
        case StepStatus::already:
            return "already done";
        case StepStatus::would:
            return "would do";
        case StepStatus::skipped:
            return "skipped";
        case StepStatus::failed:
            return "FAILED";
        case StepStatus::not_run:
            break;
    }
    return "not run";
}

std::string StepRecord::failed_detail() const {
    for (const auto& s : steps) {
        if (s.status == StepStatus::failed) {
            return s.detail;
        }
    }
    return {};
}

void StepContext::already(std::string detail) {
    step_.status = StepStatus::already;
    step_.detail = std::move(detail);
}

void StepContext::skipped(std::string detail) {
    step_.status = StepStatus::skipped;
    step_.detail = std::move(detail);
}

void StepContext::changed(std::string detail) {
    step_.status = dry_run_ ? StepStatus::would : StepStatus::done;
    step_.detail = std::move(detail);
    record_.changed = true;
}

void StepContext::announce(std::string detail) {
    step_.status = StepStatus::done;
    step_.detail = std::move(detail);
}

void run_steps(const std::vector<PlannedStep>& plan, bool dry_run, StepRecord& record,
               const std::function<void(const StepRecord&)>& on_failure) {
    std::size_t first = record.steps.size();
    for (const auto& p : plan) {
        record.steps.push_back({p.what, StepStatus::not_run, {}});
    }
    for (std::size_t i = 0; i < plan.size(); ++i) {
        Step& step = record.steps[first + i];
        try {
            StepContext context(step, record, dry_run);
            plan[i].run(context);
        } catch (const std::exception& e) {
            step.status = StepStatus::failed;
            step.detail = e.what();
            record.failure = std::current_exception();
            record.failed_step = plan[i].what;
            if (on_failure) {
                on_failure(record);
            }
            return;
        }
    }
}

namespace {

std::string step_lines(const std::vector<Step>& steps, const char* prefix, std::string (*detail)(const std::string&)) {
    std::string out;
    for (const auto& s : steps) {
        out += fmt::format("{}{}: {}{}\n", prefix, s.what, step_status_name(s.status),
                           s.detail.empty() ? "" : " (" + detail(s.detail) + ")");
    }
    return out;
}

std::string as_is(const std::string& text) {
    return text;
}

}  // namespace

std::string steps_markdown(const std::vector<Step>& steps) {
    return step_lines(steps, "- ", [](const std::string& d) { return public_text(d); });
}

std::string steps_text(const std::vector<Step>& steps) {
    return step_lines(steps, "", as_is);
}

nlohmann::json steps_json(const std::vector<Step>& steps) {
    auto out = nlohmann::json::array();
    for (const auto& s : steps) {
        out.push_back({{"step", s.what}, {"status", step_status_name(s.status)}, {"detail", s.detail}});
    }
    return out;
}

}  // namespace flr::releng
