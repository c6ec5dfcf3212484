// flr-listen history: the journal read through the public API.
#include "engine/history.hpp"

#include "engine/journal.hpp"
#include "engine/listen_config.hpp"
#include "engine/message.hpp"

#include <flr/error.hpp>
#include <flr/listen_history.hpp>

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <optional>

namespace flr::engine {
namespace {

[[noreturn]] void bad_since(std::string_view text) {
    throw UsageError(
        fmt::format("--since: expected a duration like 90m, 2h or 7d, or a UTC date or time like 2026-11-30 or "
                    "2026-11-30T08:00:00Z, got \"{}\"",
                    std::string(text.substr(0, 64))));
}

// Exactly `digits` decimal digits at `pos`, within [lo, hi].
int number(std::string_view text, std::size_t& pos, std::size_t digits, int lo, int hi) {
    if (pos + digits > text.size()) {
        bad_since(text);
    }
    int v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') {
            bad_since(text);
        }
        v = v * 10 + (c - '0');
    }
    if (v < lo || v > hi) {
        bad_since(text);
    }
    pos += digits;
    return v;
}

void expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) {
        bad_since(text);
    }
    ++pos;
}

double parse_time(std::string_view text) {
    std::size_t pos = 0;
    std::tm tm{};
    tm.tm_year = number(text, pos, 4, 1970, 9999) - 1900;
    expect(text, pos, '-');
    tm.tm_mon = number(text, pos, 2, 1, 12) - 1;
    expect(text, pos, '-');
    tm.tm_mday = number(text, pos, 2, 1, 31);
    long offset = 0;
    if (pos < text.size()) {
        if (text[pos] != 'T' && text[pos] != ' ') {
            bad_since(text);
        }
        ++pos;
        tm.tm_hour = number(text, pos, 2, 0, 23);
        expect(text, pos, ':');
        tm.tm_min = number(text, pos, 2, 0, 59);
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            tm.tm_sec = number(text, pos, 2, 0, 60);
        }
        if (pos < text.size() && text[pos] == 'Z') {
            ++pos;
        } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
            int sign = text[pos++] == '-' ? -1 : 1;
            int hours = number(text, pos, 2, 0, 23);
            expect(text, pos, ':');
            int minutes = number(text, pos, 2, 0, 59);
            offset = sign * (hours * 3600L + minutes * 60L);
        }
        if (pos != text.size()) {
            bad_since(text);
        }
    }
    std::tm check = tm;
    time_t t = ::timegm(&tm);
    if (t == static_cast<time_t>(-1) || tm.tm_mday != check.tm_mday) {  // 2026-02-31 rolls over
        bad_since(text);
    }
    return static_cast<double>(t - offset);
}

}  // namespace

double parse_since(std::string_view text, double now) {
    if (text.size() >= 10 && text[4] == '-') {
        return parse_time(text);
    }
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    long long scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (ec != std::errc() || end == text.data() || scale == 0 || value < 0 || value > 100LL * 366 * 86400 / scale) {
        bad_since(text);
    }
    return now - static_cast<double>(value * scale);
}

}  // namespace flr::engine

namespace flr::listen {

std::vector<HistoryEntry> history(const Config& listen_config, const HistoryQuery& q) {
    engine::JournalFilter filter;
    if (!q.since.empty()) {
        filter.since = engine::parse_since(q.since, static_cast<double>(std::time(nullptr)));
    }
    std::optional<engine::TopicPattern> topic;
    if (!q.topic.empty()) {
        topic.emplace(q.topic);
    }
    filter.route = q.route;
    filter.message_id = q.message_id;
    filter.failed_only = q.failed;
    engine::ListenConfig cfg = engine::load_listen_config(listen_config);
    std::vector<HistoryEntry> out;
    for (engine::JobRecord& r : engine::Journal::read(cfg.journal.path, filter)) {
        if (topic && !topic->matches(r.topic)) {
            continue;
        }
        HistoryEntry e;
        e.message_id = std::move(r.message_id);
        e.topic = std::move(r.topic);
        e.route = std::move(r.route);
        e.attempt = r.attempt;
        e.started = engine::iso8601_utc(r.started);
        e.ended = engine::iso8601_utc(r.ended);
        e.seconds = r.ended - r.started;
        e.exit_status = r.exit_status;
        e.signal = r.signal;
        e.status = std::move(r.status);
        e.outcome = std::move(r.outcome);
        e.output = std::move(r.output);
        e.batch = std::move(r.batch);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace flr::listen
