// Private: what starts and reaps the listener's job processes, apart from the
// Dispatcher that schedules them (the Dispatcher plans, a Runner runs). ProcessRunner
// runs real processes; the unit tests drive the Dispatcher and the broker loop with a
// fake one.
#pragma once

#include "core/process.hpp"
#include "engine/action.hpp"

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr::engine {

using Clock = std::chrono::steady_clock;

// The wall clock as Unix time in seconds, with its fraction (what the journal records).
double unix_now();

// How one run ended.
struct RunEnd {
    std::uint64_t id = 0;
    process::Result result;        // exit code or signal, timed_out; no output
    std::deque<std::string> tail;  // its last lines of output
    double ms = 0;                 // from start to end
};

class Runner {
public:
    virtual ~Runner() = default;
    // Starts run `id` of `route` for `msg` (for a batched route: its first message, and
    // `batch` holds them all in arrival order; empty otherwise); all outlive the run.
    // Throws FieldError when the action cannot be built from this message (not worth a
    // retry) and Error when the process cannot start.
    virtual void start(std::uint64_t id, const Route& route, const Message& msg, int attempt,
                       const std::vector<const Message*>& batch) = 0;
    // Event-loop integration: descriptors to poll, their events, SIGCHLD, timers.
    virtual void poll_fds(std::vector<pollfd>& fds) const = 0;
    virtual void on_output(const pollfd* fds, std::size_t n) = 0;
    // After SIGCHLD: appends the runs that ended to `ended`.
    virtual void reap(std::vector<RunEnd>& ended) = 0;
    // Runs past their route's timeout get process::Timeout's TERM, grace, KILL.
    virtual void check_timeouts(Clock::time_point now) = 0;
    virtual std::optional<Clock::time_point> next_deadline() const = 0;
};

struct RunnerSettings {
    std::chrono::milliseconds kill_grace = std::chrono::seconds(10);
    ActionEnv env;
    std::size_t tail_lines = 20;  // output lines kept for a failed job's report
};

// Runs each job as a process in its own group; its output (stdout and stderr) is
// logged line by line and the last lines are kept.
class ProcessRunner final : public Runner {
public:
    explicit ProcessRunner(RunnerSettings settings);
    ~ProcessRunner() override;
    ProcessRunner(const ProcessRunner&) = delete;
    ProcessRunner& operator=(const ProcessRunner&) = delete;

    void start(std::uint64_t id, const Route& route, const Message& msg, int attempt,
               const std::vector<const Message*>& batch) override;
    void poll_fds(std::vector<pollfd>& fds) const override;
    void on_output(const pollfd* fds, std::size_t n) override;
    void reap(std::vector<RunEnd>& ended) override;
    void check_timeouts(Clock::time_point now) override;
    std::optional<Clock::time_point> next_deadline() const override;

private:
    struct Run;
    void read_output(Run& run, bool until_eof);
    void emit_line(Run& run, std::string_view line);
    RunEnd end(Run& run, int wait_status);

    RunnerSettings settings_;
    std::vector<std::unique_ptr<Run>> runs_;
};

// Text safe for a one-line log: control characters escaped.
std::string printable(std::string_view s);

}  // namespace flr::engine
