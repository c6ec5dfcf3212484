#include "engine/dispatcher.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::engine {

struct Dispatcher::Job {
    std::uint64_t token = 0;
    std::shared_ptr<const Message> msg;
    const Route* route = nullptr;
    int attempt = 1;
    std::optional<std::string> key;  // ordering key, scoped by route
    // A batch: its messages in arrival order (msg and token are the first's).
    std::vector<std::pair<std::uint64_t, std::shared_ptr<const Message>>> members;
    std::string batch_id;
    std::string batch_key;
};

std::chrono::milliseconds backoff_delay(const Route& route, int attempt) {
    auto delay = route.retry_delay;
    for (int i = 1; i < attempt && delay < route.retry_delay_max; ++i) {
        delay *= 2;
    }
    return std::min(delay, route.retry_delay_max);
}

Dispatcher::Dispatcher(DispatchSettings settings, std::unique_ptr<Runner> runner)
    : settings_(std::move(settings)), runner_(std::move(runner)) {
    if (!runner_) {
        runner_ =
            std::make_unique<ProcessRunner>(RunnerSettings{settings_.kill_grace, settings_.env, settings_.tail_lines});
    }
}

// The runner goes first: its runs point into the jobs.
Dispatcher::~Dispatcher() {
    runner_.reset();
}

void Dispatcher::submit(std::uint64_t token, std::shared_ptr<const Message> msg,
                        const std::vector<const Route*>& routes) {
    messages_[token] = MessageState{msg, routes.size(), {}, false};
    for (const Route* route : routes) {
        if (route->batch) {
            add_to_batch(token, msg, route);
            continue;
        }
        auto job = std::make_unique<Job>();
        job->token = token;
        job->msg = msg;
        job->route = route;
        if (route->ordering_key) {
            try {
                job->key = route->name + '\0' + route->ordering_key->expand(FieldContext{*msg, 1});
            } catch (const FieldError& e) {
                log::error(fmt::format("{} {}: ordering key: {}", printable(msg->id), route->name, e.what()));
                log_job(*job, "error: ordering key", 0);
                JobFailure f = failure_of(*job, "error: ordering key: " + std::string(e.what()), -1);
                job_done(std::move(job), false, &f);
                continue;
            }
        }
        enqueue(std::move(job));
    }
}

void Dispatcher::add_to_batch(std::uint64_t token, const std::shared_ptr<const Message>& msg, const Route* route) {
    std::string value;
    if (route->batch->key) {
        try {
            value = route->batch->key->expand(FieldContext{*msg, 1});
        } catch (const FieldError& e) {
            auto job = std::make_unique<Job>();
            job->token = token;
            job->msg = msg;
            job->route = route;
            log::error(fmt::format("{} {}: batch key: {}", printable(msg->id), route->name, e.what()));
            log_job(*job, "error: batch key", 0);
            JobFailure f = failure_of(*job, "error: batch key: " + std::string(e.what()), -1);
            job_done(std::move(job), false, &f);
            return;
        }
    }
    auto [it, fresh] = open_.try_emplace(BatchKey{route, value});
    OpenBatch& b = it->second;
    if (fresh) {
        b.job = std::make_unique<Job>();
        b.job->token = token;
        b.job->msg = msg;
        b.job->route = route;
        b.job->batch_id = fmt::format("{}.{}.{}", route->name, static_cast<long long>(unix_now()), ++batches_);
        b.job->batch_key = std::move(value);
        b.deadline = Clock::now() + route->batch->window;
    }
    b.job->members.emplace_back(token, msg);
    if (b.job->members.size() >= route->batch->max) {
        close_batch(it, "full");
    }
}

void Dispatcher::close_batch(std::map<BatchKey, OpenBatch>::iterator it, const char* why) {
    std::unique_ptr<Job> job = std::move(it->second.job);
    open_.erase(it);
    log::info(fmt::format("batch {}: {} message(s), {}{}", job->batch_id, job->members.size(), why,
                          job->batch_key.empty() ? "" : ", key \"" + printable(job->batch_key) + "\""));
    enqueue(std::move(job));
}

void Dispatcher::close_batches() {
    while (!open_.empty()) {
        close_batch(open_.begin(), "closed early by a reload");
    }
}

void Dispatcher::release_batches() {
    while (!open_.empty()) {
        std::unique_ptr<Job> job = std::move(open_.begin()->second.job);
        open_.erase(open_.begin());
        log::info(fmt::format("batch {}: {} message(s) released unrun; the broker delivers them again", job->batch_id,
                              job->members.size()));
        for (const auto& member : job->members) {
            if (auto it = messages_.find(member.first); it != messages_.end()) {
                it->second.released = true;
            }
            message_done(member.first, true, nullptr, *job);
        }
    }
}

void Dispatcher::enqueue(std::unique_ptr<Job> job) {
    if (job->key && !active_keys_.insert(*job->key).second) {
        waiting_[*job->key].push_back(std::move(job));
        return;
    }
    ready_.push_back(std::move(job));
}

void Dispatcher::start_ready() {
    while (!paused_ && !ready_.empty() && running_.size() < settings_.workers) {
        auto job = std::move(ready_.front());
        ready_.pop_front();
        start(std::move(job));
    }
}

void Dispatcher::start(std::unique_ptr<Job> job) {
    ++counters_.started;
    std::uint64_t id = ++serial_;
    try {
        std::vector<const Message*> batch;
        for (const auto& member : job->members) {
            batch.push_back(member.second.get());
        }
        runner_->start(id, *job->route, *job->msg, job->attempt, batch);
    } catch (const FieldError& e) {
        log::error(fmt::format("{} {}: {}", printable(job->msg->id), job->route->name, e.what()));
        std::string status = "error: " + std::string(e.what());
        log_job(*job, status, 0);
        JobFailure f = failure_of(*job, status, -1);
        attempt_failed(std::move(job), false, f);
        return;
    } catch (const Error& e) {
        log::error(fmt::format("{} {}: {}", printable(job->msg->id), job->route->name, e.what()));
        log_job(*job, "error: cannot start", 0);
        JobFailure f = failure_of(*job, "error: cannot start: " + std::string(e.what()), -1);
        attempt_failed(std::move(job), true, f);
        return;
    }
    running_.emplace(id, std::move(job));
}

void Dispatcher::reap() {
    ended_.clear();
    runner_->reap(ended_);
    for (RunEnd& end : ended_) {
        finish(end);
    }
}

void Dispatcher::finish(RunEnd& end) {
    auto it = running_.find(end.id);
    if (it == running_.end()) {
        return;
    }
    std::unique_ptr<Job> job = std::move(it->second);
    running_.erase(it);
    const process::Result& result = end.result;
    log_job(*job, result.describe(), end.ms);
    if (settings_.observe) {
        settings_.observe(job->route->name, end.ms / 1000, result.ok());
    }
    JobFailure f = failure_of(*job, result.describe(), result.timed_out ? -1 : result.exit_code);
    f.signal = result.signal;
    f.started = f.ended - end.ms / 1000;
    for (const auto& line : end.tail) {
        f.output += printable(line) + '\n';
    }
    if (result.ok()) {
        report(*job, f, true);
        job_done(std::move(job), true);
        return;
    }
    attempt_failed(std::move(job), true, f);
}

JobFailure Dispatcher::failure_of(const Job& job, const std::string& status, int exit_code) const {
    double now = unix_now();
    return JobFailure{job.route->name, status, exit_code, job.attempt, "", job.batch_id, 0, now, now};
}

// A run for each message it ran for.
void Dispatcher::report(const Job& job, const JobFailure& run, bool ok) const {
    if (!report_) {
        return;
    }
    if (job.members.empty()) {
        report_(*job.msg, run, ok);
    }
    for (const auto& member : job.members) {
        report_(*member.second, run, ok);
    }
}

void Dispatcher::attempt_failed(std::unique_ptr<Job> job, bool retryable, const JobFailure& failure) {
    if (retryable && job->attempt < job->route->max_attempts) {
        report(*job, failure, false);
        auto delay = settings_.backoff ? backoff_delay(*job->route, job->attempt) : std::chrono::milliseconds(0);
        ++job->attempt;
        ++counters_.retried;
        if (delay.count() == 0) {
            ready_.push_back(std::move(job));  // keeps its ordering key
        } else {
            log::info(fmt::format("{} {}: attempt {} in {:g} s", printable(job->msg->id), job->route->name,
                                  job->attempt, std::chrono::duration<double>(delay).count()));
            delayed_.emplace(Clock::now() + delay, std::move(job));
        }
        return;
    }
    job_done(std::move(job), false, &failure);
}

void Dispatcher::release_delayed(Clock::time_point now) {
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
        ready_.push_back(std::move(delayed_.begin()->second));
        delayed_.erase(delayed_.begin());
    }
}

void Dispatcher::job_done(std::unique_ptr<Job> job, bool ok, const JobFailure* failure) {
    ++(ok ? counters_.succeeded : counters_.failed);
    if (job->key) {
        auto it = waiting_.find(*job->key);
        if (it != waiting_.end() && !it->second.empty()) {
            ready_.push_back(std::move(it->second.front()));
            it->second.pop_front();
            if (it->second.empty()) {
                waiting_.erase(it);
            }
        } else {
            active_keys_.erase(*job->key);
        }
    }
    if (job->members.empty()) {
        message_done(job->token, ok, failure, *job);
    }
    for (const auto& member : job->members) {
        message_done(member.first, ok, failure, *job);
    }
}

void Dispatcher::message_done(std::uint64_t token, bool ok, const JobFailure* failure, const Job& job) {
    auto it = messages_.find(token);
    if (it == messages_.end()) {
        return;
    }
    MessageState& state = it->second;
    if (!ok) {
        state.failures.push_back(failure ? *failure : failure_of(job, "failed", -1));
        log::error(fmt::format("route {} failed after {} attempt(s); message: {}", job.route->name, job.attempt,
                               log_form(*state.msg)));
    }
    if (--state.remaining == 0) {
        std::vector<JobFailure> failures = std::move(state.failures);
        bool released = state.released;
        messages_.erase(it);
        bool all_ok = failures.empty();
        completions_.push_back(Completion{token, all_ok, std::move(failures), released});
    }
}

void Dispatcher::log_job(const Job& job, const std::string& status, double ms) const {
    if (!log::enabled(log::Level::info)) {
        return;
    }
    log::info(fmt::format(
        "job id=\"{}\" topic=\"{}\" route=\"{}\" attempt={} status=\"{}\" duration_ms={:.1f}{}", printable(job.msg->id),
        printable(job.msg->topic), job.route->name, job.attempt, printable(status), ms,
        job.members.empty() ? "" : fmt::format(" batch=\"{}\" messages={}", job.batch_id, job.members.size())));
}

void Dispatcher::check_timeouts(Clock::time_point now) {
    for (auto it = open_.begin(); it != open_.end();) {
        auto next = std::next(it);
        if (it->second.deadline <= now) {
            close_batch(it, "window passed");
        }
        it = next;
    }
    release_delayed(now);
    runner_->check_timeouts(now);
}

std::optional<Clock::time_point> Dispatcher::next_deadline() const {
    std::optional<Clock::time_point> next = runner_->next_deadline();
    if (!delayed_.empty() && (!next || delayed_.begin()->first < *next)) {
        next = delayed_.begin()->first;
    }
    for (const auto& [key, b] : open_) {
        if (!next || b.deadline < *next) {
            next = b.deadline;
        }
    }
    return next;
}

void Dispatcher::take_completions(std::vector<Completion>& out) {
    out.clear();
    out.swap(completions_);
}

}  // namespace flr::engine
