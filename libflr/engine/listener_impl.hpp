// Private: the state behind flr::listen::Listener, shared by replay and broker mode.
// One thread, one poll() loop over the signalfd, the broker socket and the children's
// output pipes; nothing blocks while actions run. Session::step is one wait of that
// loop; what it produces (finished messages, a reload) is taken by the owner's loop
// afterwards, never handed out from inside it.
#pragma once

#include "core/fs.hpp"
#include "core/signals.hpp"
#include "engine/dispatcher.hpp"
#include "engine/listen_config.hpp"
#include "engine/listen_metrics.hpp"

#include <flr/listen.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flr::engine {

struct MessageCounters {
    std::uint64_t received = 0, routed = 0, unrouted = 0, invalid = 0;
    std::uint64_t dead_lettered = 0, skipped = 0, reconnects = 0;
};

// How many messages (replay) or ready jobs (broker mode) may wait for a worker.
constexpr std::size_t backlog_limit(std::size_t workers) noexcept {
    return workers * 4 + 16;
}

using ConfigPtr = std::shared_ptr<const ListenConfig>;
// Reads the configuration file again (SIGHUP); throws ConfigError.
using ConfigLoader = std::function<ConfigPtr()>;

class Session {
public:
    using RouteFilter = std::function<bool(const Route&)>;
    // Without a runner, jobs run as processes.
    Session(ConfigPtr cfg, bool backoff, std::unique_ptr<Runner> runner = nullptr);

    // Route one valid message: submits its jobs (the matching routes `keep` accepts)
    // and returns it, or nullptr when nothing matched (counted unrouted, or skipped
    // when `keep` refused every match).
    std::shared_ptr<const Message> route(std::uint64_t token, Message&& msg, const RouteFilter& keep = {});
    void count_invalid(const std::string& where, const std::string& reason);

    // One round of the loop: start jobs, wait up to `cap_ms` for any event, handle it.
    // `extra_fd` (the broker socket, or -1) is polled too; returns its revents.
    short step(int extra_fd, int cap_ms);

    bool stop_requested() const noexcept { return stop_; }
    // Enough jobs wait for a worker (backlog_limit): the owner stops taking messages in,
    // so memory is bounded by the backlog rather than by the prefetch window.
    bool backlogged() const noexcept { return dispatcher_.queued() >= backlog_limit(cfg_->workers); }
    const ListenConfig& config() const noexcept { return *cfg_; }
    // SIGHUP: `loader` reads the new routes.
    void set_reload(ConfigLoader loader) { loader_ = std::move(loader); }
    // The configuration replaced by a SIGHUP since the last call (the first, when
    // several were), or nullptr: the owner applies what changed (config() is the new one).
    ConfigPtr take_replaced() { return std::exchange(replaced_, nullptr); }
    // The metrics textfile (every metrics.interval from step(), or now with force).
    void write_metrics(bool force);
    LiveGauges live;  // the owner keeps in_flight and connected current
    Dispatcher& dispatcher() noexcept { return dispatcher_; }
    MessageCounters& counters() noexcept { return counters_; }
    listen::Summary summary(double seconds) const;

private:
    void handle_signals();
    void reload();

    ConfigPtr cfg_;
    std::vector<ConfigPtr> retired_;  // older routes that queued or running jobs still use
    ConfigLoader loader_;
    ConfigPtr replaced_;
    ListenMetrics metrics_;
    fs::TempDir dir_;  // vars files
    Dispatcher dispatcher_;
    SignalFd signals_;
    MessageCounters counters_;
    std::vector<pollfd> fds_;
    bool stop_ = false;
    int stop_count_ = 0;
};

listen::Summary replay_file(ConfigPtr cfg, const std::string& file);
listen::Summary run_broker(ConfigPtr cfg, ConfigLoader loader);

}  // namespace flr::engine
