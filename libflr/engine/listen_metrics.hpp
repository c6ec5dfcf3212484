// Private: flr-listen's Prometheus metrics, written as a textfile for node_exporter
// (metrics.textfile in flr-listen.yaml(5)) every metrics.interval and at exit.
#pragma once

#include "core/metrics.hpp"
#include "engine/dispatcher.hpp"
#include "engine/listen_config.hpp"
#include "engine/route_watch.hpp"

#include <flr/listen.hpp>

namespace flr::engine {

struct LiveGauges {
    std::size_t running = 0;      // actions running now
    std::size_t in_flight = 0;    // messages received and not yet settled
    std::size_t retry_waits = 0;  // jobs waiting for their backoff
    bool connected = false;       // broker mode: the connection is up
};

class ListenMetrics {
public:
    explicit ListenMetrics(MetricsSettings settings, const std::vector<std::string>& routes = {});
    bool enabled() const noexcept { return !settings_.textfile.empty(); }
    // One action run: its duration, by route.
    void observe(const std::string& route, double seconds, bool ok);
    // A message matched `route` (route_watch.hpp): logged, and its last match time exported.
    void route_matched(const std::string& route);
    // Write the file when the interval has passed (or always with force); never throws.
    void write(const listen::Summary& s, const LiveGauges& g, bool force);
    // When the next periodic write is due (nullopt when disabled).
    std::optional<Clock::time_point> next_write() const;

private:
    void sync(const listen::Summary& s, const LiveGauges& g);

    MetricsSettings settings_;
    metrics::Registry reg_;
    Clock::time_point next_;
    RouteWatch watch_;
};

}  // namespace flr::engine
