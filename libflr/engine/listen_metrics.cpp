#include "engine/listen_metrics.hpp"

#include <ctime>

#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::engine {
namespace {

void set_counter(metrics::Counter& c, std::uint64_t value) {
    if (value > c.value()) {
        c.inc(value - c.value());
    }
}

}  // namespace

ListenMetrics::ListenMetrics(MetricsSettings settings, const std::vector<std::string>& routes)
    : settings_(std::move(settings)), next_(Clock::now()), watch_(routes) {}

void ListenMetrics::route_matched(const std::string& route) {
    watch_.matched(route, std::time(nullptr));
}

void ListenMetrics::observe(const std::string& route, double seconds, bool ok) {
    if (!enabled()) {
        return;
    }
    reg_.histogram("flr_listen_action_duration_seconds", "Duration of action runs (every attempt), by route.",
                   metrics::duration_buckets(), {{"route", route}, {"result", ok ? "success" : "failure"}})
        .observe(seconds);
}

void ListenMetrics::sync(const listen::Summary& s, const LiveGauges& g) {
    struct {
        const char* name;
        const char* help;
        std::uint64_t value;
    } counters[] = {
        {"flr_listen_messages_received_total", "Messages received (broker deliveries or replay records).", s.received},
        {"flr_listen_messages_routed_total", "Messages that matched at least one route.", s.routed},
        {"flr_listen_messages_unrouted_total", "Messages no route matched (acked).", s.unrouted},
        {"flr_listen_messages_invalid_total", "Invalid messages (dead-lettered at once).", s.invalid},
        {"flr_listen_messages_dead_lettered_total", "Dead letters published (one per failed job or invalid message).",
         s.dead_lettered},
        {"flr_listen_messages_skipped_total", "Redelivered jobs skipped because they had already succeeded.",
         s.skipped},
        {"flr_listen_jobs_succeeded_total", "Jobs that succeeded.", s.succeeded},
        {"flr_listen_jobs_failed_total", "Jobs that failed their last attempt.", s.failed},
        {"flr_listen_jobs_retried_total", "Extra attempts after a failure.", s.retried},
        {"flr_listen_reconnects_total", "Connections re-established after a loss.", s.reconnects},
    };
    for (const auto& c : counters) {
        set_counter(reg_.counter(c.name, c.help), c.value);
    }
    for (const auto& [route, seen] : watch_.routes()) {
        reg_.gauge("flr_listen_route_last_match_seconds", "Unix time of the route's last match; 0: never matched.",
                   {{"route", route}})
            .set(static_cast<double>(seen.last));
        set_counter(reg_.counter("flr_listen_route_matches_total", "Messages the route matched.", {{"route", route}}),
                    seen.matches);
    }
    reg_.gauge("flr_listen_jobs_running", "Actions running now.").set(static_cast<double>(g.running));
    reg_.gauge("flr_listen_messages_in_flight", "Messages received and not yet acked or dead-lettered.")
        .set(static_cast<double>(g.in_flight));
    reg_.gauge("flr_listen_jobs_waiting_retry", "Jobs waiting for their retry backoff.")
        .set(static_cast<double>(g.retry_waits));
    reg_.gauge("flr_listen_connected", "1 while the broker connection is up (broker mode).").set(g.connected ? 1 : 0);
}

void ListenMetrics::write(const listen::Summary& s, const LiveGauges& g, bool force) {
    auto now = Clock::now();
    if (!enabled() || (!force && now < next_)) {
        return;
    }
    next_ = now + settings_.interval;
    try {
        sync(s, g);
        reg_.write_textfile(settings_.textfile);
    } catch (const std::exception& e) {
        log::warning(fmt::format("metrics: {}", e.what()));
    }
}

std::optional<Clock::time_point> ListenMetrics::next_write() const {
    if (!enabled()) {
        return std::nullopt;
    }
    return next_;
}

}  // namespace flr::engine
