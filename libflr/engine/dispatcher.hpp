// Private: the job scheduler of flr-listen. One job per (message, matching route);
// at most `workers` run at once; jobs sharing an ordering key run one at a time in
// arrival order; failures are retried up to the route's max_attempts after a capped
// exponential backoff (a timer, never a sleep); a message is done when all its jobs
// are. Starting, watching and reaping the processes is a Runner's part
// (engine/runner.hpp), as ninja's Plan leaves commands to its CommandRunner.
//
// It never blocks and never calls out: the owner's event loop polls poll_fds(), calls
// on_output(), reap() on SIGCHLD and check_timeouts() when next_deadline() passes, then
// takes the finished messages with take_completions() and handles them itself.
#pragma once

#include "engine/runner.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace flr::engine {

struct DispatchSettings {
    std::size_t workers = 4;
    std::chrono::milliseconds kill_grace = std::chrono::seconds(10);
    ActionEnv env;
    bool backoff = true;          // false (replay): retry at once
    std::size_t tail_lines = 20;  // output lines kept for a failed job's report
    // Called after each run with the route name, its duration in seconds and success.
    std::function<void(const std::string& route, double seconds, bool ok)> observe;
};

// One run of a job: a job that failed its last attempt (what a dead letter reports), or
// what the journal records of any run.
struct JobFailure {
    std::string route;
    std::string status;  // "exit 1", "killed by signal 9 (timed out)", "error: ..."
    int exit_code = -1;  // -1 when it did not exit normally
    int attempts = 0;
    std::string output;  // the last lines of output, newline-separated
    std::string batch;   // the batch's id ("" for a job of one message)
    int signal = 0;      // the signal that ended it, or 0
    double started = 0;  // Unix time, seconds
    double ended = 0;
};

// Every run that succeeded, or failed with another attempt to follow (a failed last
// attempt is in its message's Completion instead).
using RunReport = std::function<void(const Message& msg, const JobFailure& run, bool ok)>;

// A message whose last job has finished; ok = every job succeeded. A released message
// (its batch was let go at a drain or a lost connection) is neither acked nor
// dead-lettered: the broker delivers it again.
struct Completion {
    std::uint64_t token = 0;
    bool ok = true;
    std::vector<JobFailure> failures;
    bool released = false;
};

// The retry delay before attempt `attempt + 1`: initial * 2^(attempt-1), at most max.
std::chrono::milliseconds backoff_delay(const Route& route, int attempt);

struct JobCounters {
    std::uint64_t started = 0;    // process runs, retries included
    std::uint64_t succeeded = 0;  // jobs
    std::uint64_t failed = 0;     // jobs, after their last attempt
    std::uint64_t retried = 0;    // extra attempts
};

class Dispatcher {
public:
    // Without a runner, jobs run as processes (ProcessRunner with the settings).
    explicit Dispatcher(DispatchSettings settings, std::unique_ptr<Runner> runner = nullptr);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    // One job per route; a batched route's job joins the open batch of its key, which
    // is queued when full or when its window has passed (check_timeouts).
    void submit(std::uint64_t token, std::shared_ptr<const Message> msg, const std::vector<const Route*>& routes);
    // Queue every open batch now (SIGHUP: they keep the routes they were opened with).
    void close_batches();
    // Let every open batch go without running it (drain, lost connection): its messages
    // complete as released once their other jobs are done.
    void release_batches();
    std::size_t open_batches() const noexcept { return open_.size(); }
    // Start queued jobs up to the worker limit (nothing while paused).
    void start_ready();
    void set_paused(bool paused) noexcept { paused_ = paused; }
    void set_report(RunReport report) { report_ = std::move(report); }

    // Event-loop integration.
    void poll_fds(std::vector<pollfd>& fds) const { runner_->poll_fds(fds); }
    void on_output(const pollfd* fds, std::size_t n) { runner_->on_output(fds, n); }
    void reap();
    void check_timeouts(Clock::time_point now);
    std::optional<Clock::time_point> next_deadline() const;
    // The messages finished since the last call, in the order they finished (`out` is
    // cleared first).
    void take_completions(std::vector<Completion>& out);

    std::size_t running() const noexcept { return running_.size(); }
    std::size_t queued() const noexcept { return ready_.size(); }
    std::size_t delayed() const noexcept { return delayed_.size(); }
    std::size_t messages_in_flight() const noexcept { return messages_.size(); }
    const JobCounters& counters() const noexcept { return counters_; }

private:
    struct Job;
    struct MessageState {
        std::shared_ptr<const Message> msg;
        std::size_t remaining = 0;
        std::vector<JobFailure> failures;
        bool released = false;
    };
    struct OpenBatch {
        std::unique_ptr<Job> job;
        Clock::time_point deadline;
    };
    using BatchKey = std::pair<const Route*, std::string>;

    void enqueue(std::unique_ptr<Job> job);
    void add_to_batch(std::uint64_t token, const std::shared_ptr<const Message>& msg, const Route* route);
    void close_batch(std::map<BatchKey, OpenBatch>::iterator it, const char* why);
    void message_done(std::uint64_t token, bool ok, const JobFailure* failure, const Job& job);
    void start(std::unique_ptr<Job> job);
    void finish(RunEnd& end);
    void attempt_failed(std::unique_ptr<Job> job, bool retryable, const JobFailure& failure);
    void job_done(std::unique_ptr<Job> job, bool ok, const JobFailure* failure = nullptr);
    JobFailure failure_of(const Job& job, const std::string& status, int exit_code) const;
    void report(const Job& job, const JobFailure& run, bool ok) const;
    void release_delayed(Clock::time_point now);
    void log_job(const Job& job, const std::string& status, double ms) const;

    DispatchSettings settings_;
    RunReport report_;
    std::unique_ptr<Runner> runner_;
    bool paused_ = false;
    std::uint64_t serial_ = 0;  // run ids
    std::deque<std::unique_ptr<Job>> ready_;
    std::multimap<Clock::time_point, std::unique_ptr<Job>> delayed_;  // retries waiting for their backoff
    std::set<std::string> active_keys_;
    std::unordered_map<std::string, std::deque<std::unique_ptr<Job>>> waiting_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Job>> running_;  // by run id
    std::unordered_map<std::uint64_t, MessageState> messages_;
    std::map<BatchKey, OpenBatch> open_;
    std::uint64_t batches_ = 0;  // batch ids
    std::vector<RunEnd> ended_;
    std::vector<Completion> completions_;
    JobCounters counters_;
};

}  // namespace flr::engine
