// Private: the state behind flr::listen::Listener, shared by replay and broker mode.
// One thread, one poll() loop over the signalfd, the broker socket and the children's
// output pipes; nothing blocks while actions run.
#pragma once

#include "core/signals.hpp"
#include "engine/dispatcher.hpp"
#include "engine/listen_config.hpp"

#include <flr/listen.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flr::engine {

// A private 0700 directory for vars files, removed with its content at the end.
class PrivateDir {
public:
    explicit PrivateDir(const std::string& base);
    ~PrivateDir();
    PrivateDir(const PrivateDir&) = delete;
    PrivateDir& operator=(const PrivateDir&) = delete;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

struct MessageCounters {
    std::uint64_t received = 0, routed = 0, unrouted = 0, invalid = 0;
};

class Session {
public:
    using DoneFn = Dispatcher::DoneFn;
    Session(const ListenConfig& cfg, DoneFn done);

    // Route one valid message: submits its jobs, or returns false when nothing matched.
    bool route(std::uint64_t token, Message&& msg);
    void count_invalid(const std::string& where, const std::string& reason);

    // One round of the loop: start jobs, wait up to `cap_ms` for any event, handle it.
    // `extra_fd` (the broker socket, or -1) is polled too; returns its revents.
    short step(int extra_fd, int cap_ms);

    bool stop_requested() const noexcept { return stop_; }
    Dispatcher& dispatcher() noexcept { return dispatcher_; }
    MessageCounters& counters() noexcept { return counters_; }
    listen::Summary summary(double seconds) const;

private:
    void handle_signals();

    const ListenConfig& cfg_;
    PrivateDir dir_;
    Dispatcher dispatcher_;
    SignalFd signals_;
    MessageCounters counters_;
    std::vector<pollfd> fds_;
    bool stop_ = false;
    int stop_count_ = 0;
};

listen::Summary replay_file(const ListenConfig& cfg, const std::string& file);
listen::Summary run_broker(const ListenConfig& cfg);

}  // namespace flr::engine
