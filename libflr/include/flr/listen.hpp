// flr-listen: consume Fedora messages (AMQP or a replay file), route them, run the
// routes' playbooks and commands, and acknowledge each message once all its jobs
// have finished. See flr-listen(8) and flr-listen.yaml(5).
#pragma once

#include <flr/config.hpp>
#include <flr/export.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flr::listen {

// Counts of one run. Messages: received = routed + unrouted + invalid.
// Jobs (one per message and matching route): succeeded + failed.
struct Summary {
    std::uint64_t received = 0;
    std::uint64_t routed = 0;
    std::uint64_t unrouted = 0;
    std::uint64_t invalid = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    std::uint64_t retried = 0;        // extra attempts
    std::uint64_t dead_lettered = 0;  // dead letters published (broker mode)
    std::uint64_t skipped = 0;        // redelivered jobs skipped: they had already succeeded
    std::uint64_t reconnects = 0;     // broker connections re-established
    double seconds = 0;
};

class FLR_EXPORT Listener {
public:
    // Parses the configuration (flr-listen.yaml(5) or a loopabull config); throws ConfigError.
    explicit Listener(const Config& config);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    // Route names in configuration order.
    std::vector<std::string> routes() const;

    // Send every message of a dump file (JSON lines or a JSON array) through the
    // routes and wait for all jobs. Throws UsageError when the file is unreadable,
    // Interrupted on SIGINT/SIGTERM.
    Summary replay(const std::string& file);

    // Consume from the broker until SIGTERM/SIGINT, then let running jobs finish (up to
    // drain_timeout) and return. Reconnects after a lost connection; SIGHUP reloads the
    // routes from the configuration file. Throws ConfigError (no amqp section) or
    // RemoteError (the first connection failed).
    Summary run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace flr::listen
