// Private: the message model of flr-listen. A message is a topic, an id, headers, a
// sent-at time and a JSON object body, whether it came from the broker
// (fedora-messaging properties + headers + body), a dump file or a legacy fedmsg envelope.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace flr::engine {

using Json = nlohmann::json;

inline constexpr std::size_t default_max_body = 10 * 1024 * 1024;

struct Message {
    std::string topic;
    std::string id;
    std::string sent_at;            // ISO 8601 as sent; "" when unknown
    Json headers = Json::object();  // always an object
    Json body = Json::object();     // always an object
};

// Deepest nesting of objects and arrays accepted in a body.
constexpr int max_body_depth = 200;

// Why a payload is invalid, or nullopt when `out` now holds the parsed JSON object
// (simdjson, strict RFC 8259). Checks: size limit, then UTF-8 of the whole payload, then
// syntax and nesting depth as the parse meets them, then object-ness.
std::optional<std::string> parse_body(std::string_view bytes, std::size_t limit, Json& out);

// Build a message from one dump record: fedora-messaging's dump form
// {topic, headers, id, body, ...} or a legacy fedmsg envelope {topic, msg, msg_id,
// timestamp, ...}. Returns the reason when the record is invalid.
std::optional<std::string> from_dump(const Json& record, Message& out);

// The dump form of a message (what dead letters carry).
Json to_dump(const Message& m);

// The dump form as text for a log line: at most `limit` bytes, cut at a character
// boundary and marked " ... [cut: KEPT of TOTAL bytes]" when longer.
inline constexpr std::size_t log_form_limit = 4096;
std::string log_form(const Message& m, std::size_t limit = log_form_limit);

// "2013-01-31T03:37:49+00:00" from a Unix timestamp.
std::string iso8601_utc(double seconds);

}  // namespace flr::engine
