#include "engine/listener_impl.hpp"
#include "engine/route_watch.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace flr::engine {
namespace {

std::string work_base(const ListenConfig& cfg) {
    if (!cfg.work_dir.empty()) {
        return cfg.work_dir;
    }
    for (const char* name : {"RUNTIME_DIRECTORY", "TMPDIR"}) {
        const char* v = std::getenv(name);
        if (v && *v) {
            std::string s(v);
            return s.substr(0, s.find(':'));  // systemd may list several
        }
    }
    return "/tmp";
}

DispatchSettings dispatch_settings(const ListenConfig& cfg, const std::string& dir, bool backoff,
                                   ListenMetrics& metrics) {
    DispatchSettings s;
    s.backoff = backoff;
    s.observe = [&metrics](const std::string& route, double seconds, bool ok) { metrics.observe(route, seconds, ok); };
    s.workers = cfg.workers;
    s.kill_grace = cfg.kill_grace;
    s.env.vars_dir = dir;
    s.env.env_allow = cfg.env_allow;
    return s;
}

}  // namespace

Session::Session(ConfigPtr cfg, bool backoff, std::unique_ptr<Runner> runner)
    : cfg_(std::move(cfg)),
      metrics_(cfg_->metrics, route_names(*cfg_)),
      dir_("flr-listen", work_base(*cfg_)),
      dispatcher_(dispatch_settings(*cfg_, dir_.path(), backoff, metrics_), std::move(runner)),
      signals_({SIGCHLD, SIGTERM, SIGINT, SIGHUP}) {}

// New routes apply to messages received from now on; jobs already queued or running
// keep the routes they were matched with. A bad file changes nothing.
void Session::reload() {
    if (!loader_) {
        log::warning("SIGHUP: nothing to reload in this mode");
        return;
    }
    ConfigPtr next;
    try {
        next = loader_();
    } catch (const Error& e) {
        log::error(fmt::format("SIGHUP: reload failed, keeping the current routes: {}", e.what()));
        return;
    }
    if (dispatcher_.messages_in_flight() == 0) {
        retired_.clear();
    }
    retired_.push_back(cfg_);
    ConfigPtr old = std::exchange(cfg_, std::move(next));
    dispatcher_.close_batches();  // they run now, with the routes they were opened under
    if (!replaced_) {
        replaced_ = std::move(old);
    }
    log::info(fmt::format("SIGHUP: reloaded {} route(s)", cfg_->routes.size()));
}

void Session::write_metrics(bool force) {
    live.running = dispatcher_.running();
    live.retry_waits = dispatcher_.delayed();
    if (!live.connected) {
        live.in_flight = dispatcher_.messages_in_flight();
    }
    metrics_.write(summary(0), live, force);
}

std::shared_ptr<const Message> Session::route(std::uint64_t token, Message&& msg, const RouteFilter& keep) {
    std::vector<const Route*> matched;
    bool filtered = false;
    for (const auto& r : cfg_->routes) {
        if (r.matches(msg)) {
            metrics_.route_matched(r.name);
            bool kept = !keep || keep(r);
            filtered = filtered || !kept;
            if (kept) {
                matched.push_back(&r);
            }
        }
    }
    if (matched.empty()) {
        ++(filtered ? counters_.skipped : counters_.unrouted);
        if (log::enabled(log::Level::debug)) {
            log::debug(fmt::format("{}: no route for {}", printable(msg.id), printable(msg.topic)));
        }
        return nullptr;
    }
    ++counters_.routed;
    auto shared = std::make_shared<const Message>(std::move(msg));
    dispatcher_.submit(token, shared, matched);
    return shared;
}

void Session::count_invalid(const std::string& where, const std::string& reason) {
    ++counters_.invalid;
    log::warning(fmt::format("invalid message {}: {}", printable(where), reason));
}

short Session::step(int extra_fd, int cap_ms) {
    dispatcher_.start_ready();
    fds_.clear();
    fds_.push_back({signals_.fd(), POLLIN, 0});
    fds_.push_back({extra_fd, POLLIN, 0});  // poll ignores negative fds
    dispatcher_.poll_fds(fds_);
    int timeout = cap_ms;
    auto deadline = dispatcher_.next_deadline();
    if (auto m = metrics_.next_write(); m && (!deadline || *m < *deadline)) {
        deadline = m;
    }
    if (deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count() + 1;
        timeout = static_cast<int>(std::clamp<long long>(left, 0, cap_ms < 0 ? 1LL << 30 : cap_ms));
    }
    int rc = ::poll(fds_.data(), fds_.size(), timeout);
    if (rc < 0 && errno != EINTR) {
        throw SystemError("poll", errno);
    }
    if (rc > 0) {
        dispatcher_.on_output(fds_.data() + 2, fds_.size() - 2);
        if (fds_[0].revents & POLLIN) {
            handle_signals();
        }
    }
    dispatcher_.check_timeouts(Clock::now());
    write_metrics(false);
    return rc > 0 ? fds_[1].revents : 0;
}

void Session::handle_signals() {
    bool child = false;
    for (int sig = signals_.next(); sig != 0; sig = signals_.next()) {
        if (sig == SIGCHLD) {
            child = true;
        } else if (sig == SIGHUP) {
            reload();
        } else {
            ++stop_count_;
            stop_ = true;
            log::info(
                fmt::format("{}: stopping; waiting for {} running job(s)", strsignal(sig), dispatcher_.running()));
        }
    }
    if (child) {
        dispatcher_.reap();
    }
    if (stop_count_ > 1) {
        throw Interrupted();
    }
}

listen::Summary Session::summary(double seconds) const {
    listen::Summary s;
    s.received = counters_.received;
    s.routed = counters_.routed;
    s.unrouted = counters_.unrouted;
    s.invalid = counters_.invalid;
    s.succeeded = dispatcher_.counters().succeeded;
    s.failed = dispatcher_.counters().failed;
    s.retried = dispatcher_.counters().retried;
    s.dead_lettered = counters_.dead_lettered;
    s.skipped = counters_.skipped;
    s.reconnects = counters_.reconnects;
    s.seconds = seconds;
    return s;
}

}  // namespace flr::engine

namespace flr::listen {

struct Listener::Impl {
    std::shared_ptr<const engine::ListenConfig> cfg;
    std::string source;
};

Listener::Listener(const Config& config) : impl_(std::make_unique<Impl>()) {
    impl_->cfg = std::make_shared<const engine::ListenConfig>(engine::load_listen_config(config));
    impl_->source = config.source();
    engine::warn_unreachable_routes(*impl_->cfg);
}

Listener::~Listener() = default;

std::vector<std::string> Listener::routes() const {
    std::vector<std::string> out;
    for (const auto& r : impl_->cfg->routes) {
        out.push_back(r.name);
    }
    return out;
}

Summary Listener::replay(const std::string& file) {
    return engine::replay_file(impl_->cfg, file);
}

Summary Listener::run() {
    engine::ConfigLoader loader;
    if (!impl_->source.empty()) {
        loader = [source = impl_->source] {
            return std::make_shared<const engine::ListenConfig>(engine::load_listen_config(Config::load_file(source)));
        };
    }
    return engine::run_broker(impl_->cfg, loader);
}

}  // namespace flr::listen
