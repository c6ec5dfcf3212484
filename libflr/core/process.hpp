// Private: starting child processes safely. posix_spawn with an argv (never a shell),
// an explicit environment, stdin from /dev/null, no inherited descriptors, default
// signal dispositions and mask, and the child leading its own process group so a
// timeout can kill it with everything it started (Timeout: TERM, grace, KILL).
#pragma once

#include "core/fs.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flr::process {

struct Spec {
    std::vector<std::string> argv;          // argv[0] is looked up in the PATH of `env`
    std::vector<std::string> env;           // "NAME=value"; exactly what the child gets
    std::string cwd;                        // empty: inherit
    bool merge_stderr = false;              // stderr into the stdout pipe
    std::optional<std::string> stdin_data;  // fed by run(); spawn() leaves a pipe; else /dev/null
};

// A running child. Destroying a Child that was not waited for kills its group.
class Child {
public:
    Child() = default;
    ~Child();
    Child(Child&&) noexcept;
    Child& operator=(Child&&) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const noexcept { return pid_; }
    int stdout_fd() const noexcept { return out_.get(); }
    int stderr_fd() const noexcept { return err_.get(); }
    int stdin_fd() const noexcept { return in_.get(); }  // only with Spec::stdin_data
    fs::Fd take_stdin() noexcept { return std::move(in_); }
    fs::Fd take_stdout() noexcept { return std::move(out_); }
    fs::Fd take_stderr() noexcept { return std::move(err_); }
    // Send `sig` to the child's whole process group.
    void kill_group(int sig) const noexcept;
    // Block until the child exits; returns the raw wait status.
    int wait();
    // Non-blocking: the wait status if the child has exited.
    std::optional<int> try_wait();
    bool running() const noexcept { return pid_ > 0; }

private:
    friend Child spawn(const Spec&);
    pid_t pid_ = -1;
    fs::Fd in_;
    fs::Fd out_;
    fs::Fd err_;
};

// The one policy for a child that overran its time: at deadline() its process group
// gets TERM, and KILL once `grace` has passed as well. The owner's loop calls expire()
// whenever deadline() has passed (process::run and the listener's runner do).
class Timeout {
public:
    using Clock = std::chrono::steady_clock;
    Timeout() = default;
    Timeout(Clock::time_point deadline, std::chrono::milliseconds grace) : deadline_(deadline), grace_(grace) {}
    Clock::time_point deadline() const noexcept { return deadline_; }
    bool timed_out() const noexcept { return stage_ != Stage::running; }
    // Sends the next signal (SIGTERM, then SIGKILL) to the child's group and returns
    // it; 0 once both were sent. After KILL, deadline() is Clock::time_point::max().
    int expire(const Child& child, Clock::time_point now) noexcept;

private:
    enum class Stage : std::uint8_t { running, terminated, killed };
    Clock::time_point deadline_ = Clock::time_point::max();
    std::chrono::milliseconds grace_{0};
    Stage stage_ = Stage::running;
};

// Start a child; throws Error when argv[0] cannot be found or spawn fails.
Child spawn(const Spec& spec);

struct Result {
    int exit_code = -1;  // valid when signal == 0
    int signal = 0;      // the signal that ended it, or 0
    bool timed_out = false;
    std::string out;  // stdout (and stderr when merged)
    std::string err;
    bool ok() const noexcept { return !timed_out && signal == 0 && exit_code == 0; }
    // "exit 3", "signal 9", "timed out"
    std::string describe() const;
};

// Run to completion, capturing output. On timeout the group gets SIGTERM, then
// SIGKILL after `grace` (Timeout).
Result run(const Spec& spec, std::chrono::milliseconds timeout = std::chrono::hours(1),
           std::chrono::milliseconds grace = std::chrono::seconds(10));

// Find an executable in a colon-separated PATH ("/" in name: taken as is).
std::optional<std::string> find_executable(const std::string& name, const std::string& path);

// The value of NAME in an environment list, if present.
std::optional<std::string> env_lookup(const std::vector<std::string>& env, const std::string& name);

// A minimal environment: PATH, HOME, LANG and the given allow-list from our own.
std::vector<std::string> minimal_env(const std::vector<std::string>& allow = {});

// Decode a raw wait status into `r`.
void decode_status(int status, Result& r);

}  // namespace flr::process
