#include "engine/route_watch.hpp"

#include "core/text.hpp"

#include <flr/log.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>

namespace flr::engine {

namespace {

std::vector<std::string_view> words(std::string_view pattern) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        auto dot = pattern.find('.', start);
        out.push_back(pattern.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) {
            return out;
        }
        start = dot + 1;
    }
}

}  // namespace

bool patterns_overlap(std::string_view a, std::string_view b) {
    auto wa = words(a);
    auto wb = words(b);
    // memo[i][j]: 0 unknown, 1 no, 2 yes
    std::vector<std::vector<char>> memo(wa.size() + 1, std::vector<char>(wb.size() + 1, 0));
    std::function<bool(std::size_t, std::size_t)> go = [&](std::size_t i, std::size_t j) -> bool {
        char& m = memo[i][j];
        if (m != 0) {
            return m == 2;
        }
        bool r = false;
        if (i == wa.size() && j == wb.size()) {
            r = true;
        } else if (i < wa.size() && wa[i] == "#") {
            r = go(i + 1, j) || (j < wb.size() && go(i, j + 1));
        } else if (j < wb.size() && wb[j] == "#") {
            r = go(i, j + 1) || (i < wa.size() && go(i + 1, j));
        } else if (i < wa.size() && j < wb.size()) {
            r = (wa[i] == "*" || wb[j] == "*" || wa[i] == wb[j]) && go(i + 1, j + 1);
        }
        m = r ? 2 : 1;
        return r;
    };
    return go(0, 0);
}

std::vector<std::string> unreachable_routes(const ListenConfig& cfg) {
    std::vector<std::string> out;
    if (!cfg.has_amqp) {
        return out;
    }
    for (const auto& r : cfg.routes) {
        bool reachable = false;
        std::vector<std::string> topics;
        for (const auto& t : r.topics) {
            topics.push_back(t.text());
            for (const auto& b : cfg.amqp.bindings) {
                reachable = reachable || patterns_overlap(t.text(), b);
            }
        }
        if (!reachable) {
            out.push_back(fmt::format(
                "route \"{}\" can never fire: its topic {} matches nothing the queue's bindings ({}) deliver", r.name,
                fmt::join(topics, ", "), fmt::join(cfg.amqp.bindings, ", ")));
        }
    }
    return out;
}

void warn_unreachable_routes(const ListenConfig& cfg) {
    for (const auto& w : unreachable_routes(cfg)) {
        log::warning(w);
    }
}

RouteWatch::RouteWatch(const std::vector<std::string>& routes) {
    for (const auto& r : routes) {
        seen_[r];
    }
}

void RouteWatch::matched(const std::string& route, std::int64_t now) {
    Seen& s = seen_[route];
    std::string previous = s.last == 0 ? "never" : text::utc_timestamp(s.last);
    ++s.matches;
    s.last = now;
    log::info(fmt::format("route \"{}\" matched (match {}; the last before: {})", route, s.matches, previous));
}

std::vector<std::string> route_names(const ListenConfig& cfg) {
    std::vector<std::string> out;
    for (const auto& r : cfg.routes) {
        out.push_back(r.name);
    }
    return out;
}

}  // namespace flr::engine
