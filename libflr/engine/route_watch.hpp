// Private: making a route that never fires visible. A consumer whose pattern matches
// nothing is silent (a route bound to org.fedoraproject.*.pagure.issue.* receives nothing
// from pagure.io, which publishes io.pagure.*): flr-listen warns at startup about a route
// whose topic patterns no configured binding can deliver, and keeps each route's last
// match time for a log line and a metric.
#pragma once

#include "engine/listen_config.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace flr::engine {

// Whether two AMQP topic patterns (`*` one word, `#` zero or more) can match one topic.
bool patterns_overlap(std::string_view a, std::string_view b);

// One warning per route none of whose topic patterns overlaps a binding of the queue
// (only with an amqp section; bindings derived from the routes always overlap).
std::vector<std::string> unreachable_routes(const ListenConfig& cfg);

// Logs each warning of unreachable_routes().
void warn_unreachable_routes(const ListenConfig& cfg);

class RouteWatch {
public:
    struct Seen {
        std::uint64_t matches = 0;
        std::int64_t last = 0;  // unix time of the last match, 0 = never
    };

    explicit RouteWatch(const std::vector<std::string>& routes = {});
    // A message matched `route` at `now`: counted, and logged with the previous match time.
    void matched(const std::string& route, std::int64_t now);
    const std::map<std::string, Seen>& routes() const noexcept { return seen_; }

private:
    std::map<std::string, Seen> seen_;
};

// The route names of a configuration.
std::vector<std::string> route_names(const ListenConfig& cfg);

}  // namespace flr::engine
