#include "engine/message.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <new>

namespace flr::engine {
namespace {

// simdjson's DOM as the nlohmann::json values the rest of flr-listen works with. Positive
// integers become unsigned, as nlohmann's parser makes them; the last of duplicate keys
// wins. simdjson has already limited the nesting, so the recursion is bounded. An
// integer 0 sets `zero`: simdjson does not say whether it was written "-0", which
// nlohmann's parser makes a signed integer.
void to_json(simdjson::dom::element e, Json& out, bool& zero) {
    using Type = simdjson::dom::element_type;
    switch (e.type()) {
        case Type::OBJECT: {
            out = Json::value_t::object;
            auto& obj = out.get_ref<Json::object_t&>();
            for (auto field : simdjson::dom::object(e)) {
                to_json(field.value, obj[std::string(field.key)], zero);
            }
            return;
        }
        case Type::ARRAY: {
            out = Json::value_t::array;
            auto& arr = out.get_ref<Json::array_t&>();
            for (auto item : simdjson::dom::array(e)) {
                to_json(item, arr.emplace_back(), zero);
            }
            return;
        }
        case Type::STRING:
            out = std::string(std::string_view(e));
            return;
        case Type::INT64: {
            auto v = std::int64_t(e);
            zero = zero || v == 0;
            out = v >= 0 ? Json(static_cast<Json::number_unsigned_t>(v)) : Json(v);
            return;
        }
        case Type::UINT64:
            out = std::uint64_t(e);
            return;
        case Type::DOUBLE:
            out = double(e);
            return;
        case Type::BOOL:
            out = bool(e);
            return;
        case Type::NULL_VALUE:
            out = nullptr;
            return;
    }
}

// "-0" standing where a number token could: between separators or whitespace.
bool negative_zero_token(std::string_view s) {
    constexpr std::string_view before = ":[, \t\r\n", after = ",]} \t\r\n";
    for (auto at = s.find("-0"); at != std::string_view::npos; at = s.find("-0", at + 1)) {
        if ((at == 0 || before.find(s[at - 1]) != std::string_view::npos) &&
            (at + 2 == s.size() || after.find(s[at + 2]) != std::string_view::npos)) {
            return true;
        }
    }
    return false;
}

// nlohmann's parser, with the same depth limit: the values flr-listen has always used.
// `too_deep` says why it refused, when that is the reason.
bool parse_with_nlohmann(std::string_view bytes, Json& out, bool& too_deep) {
    struct TooDeep {};
    auto limit = [](int depth, Json::parse_event_t event, Json&) {
        if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
            depth >= max_body_depth) {
            throw TooDeep{};
        }
        return true;
    };
    try {
        out = Json::parse(bytes, limit, false);
    } catch (const TooDeep&) {
        too_deep = true;
        return false;
    }
    return !out.is_discarded();
}

// Bodies up to this size reuse one parser; larger ones get their own, so that one big
// message does not leave its buffers behind.
constexpr std::size_t reused_parser_capacity = 1024 * 1024;

// A parser for bodies up to `capacity` bytes, with room for `initial` now, refusing
// nesting deeper than max_body_depth.
simdjson::dom::parser body_parser(std::size_t capacity, std::size_t initial) {
    simdjson::dom::parser parser(capacity);
    if (parser.allocate(std::max<std::size_t>(initial, 1), max_body_depth) != simdjson::SUCCESS) {
        throw std::bad_alloc();
    }
    return parser;
}

std::string string_field(const Json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return {};
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::optional<std::string> parse_body(std::string_view bytes, std::size_t limit, Json& out) {
    if (bytes.size() > limit) {
        return fmt::format("body of {} bytes is over the {} byte limit", bytes.size(), limit);
    }
    // A leading UTF-8 byte order mark is allowed, as it always was.
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
        bytes.remove_prefix(3);
    }
    thread_local simdjson::dom::parser reused = body_parser(reused_parser_capacity, 64 * 1024);
    std::optional<simdjson::dom::parser> own;
    simdjson::dom::parser& parser =
        bytes.size() <= reused_parser_capacity ? reused : own.emplace(body_parser(bytes.size(), bytes.size()));
    simdjson::dom::element root;
    auto error = parser.parse(bytes.data(), bytes.size(), true).get(root);
    out = Json();
    if (error == simdjson::UTF8_ERROR) {
        return "body is not UTF-8";
    }
    bool zero = false;
    if (!error) {
        to_json(root, out, zero);
    }
    // What simdjson refused, or may have built otherwise ("-0"), is decided by nlohmann's
    // parser: integers beyond 64 bits become floats as they always did, and a refusal is
    // named "nested" when the depth limit came first. A raw NUL byte is never JSON
    // (nlohmann's parser would take it for the end of the input).
    if (error || (zero && negative_zero_token(bytes))) {
        bool too_deep = false;
        if (bytes.find('\0') != std::string_view::npos || !parse_with_nlohmann(bytes, out, too_deep)) {
            out = Json();
            return too_deep ? fmt::format("body is nested more than {} levels deep", max_body_depth)
                            : "body is not JSON";
        }
    }
    if (!out.is_object()) {
        out = Json();
        return "body is not a JSON object";
    }
    return std::nullopt;
}

std::string iso8601_utc(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 253402300799.0) {
        return {};
    }
    return text::utc_timestamp(static_cast<std::int64_t>(seconds));
}

std::optional<std::string> from_dump(const Json& record, Message& out) {
    if (!record.is_object()) {
        return "record is not a JSON object";
    }
    auto topic = record.find("topic");
    if (topic == record.end() || !topic->is_string()) {
        return "record has no topic";
    }
    out.topic = topic->get<std::string>();
    bool legacy = !record.contains("body") && record.contains("msg");
    const Json& body = legacy ? record["msg"] : (record.contains("body") ? record["body"] : Json());
    if (!body.is_object()) {
        return "body is not a JSON object";
    }
    out.body = body;
    if (legacy) {
        out.id = string_field(record, "msg_id");
        auto ts = record.find("timestamp");
        out.sent_at = ts != record.end() && ts->is_number() ? iso8601_utc(ts->get<double>()) : "";
        out.headers = Json::object();
        return std::nullopt;
    }
    out.id = string_field(record, "id");
    auto headers = record.find("headers");
    out.headers = headers != record.end() && headers->is_object() ? *headers : Json::object();
    out.sent_at = string_field(out.headers, "sent-at");
    return std::nullopt;
}

Json to_dump(const Message& m) {
    return Json{{"topic", m.topic}, {"id", m.id}, {"headers", m.headers}, {"body", m.body}};
}

std::string log_form(const Message& m, std::size_t limit) {
    std::string text = to_dump(m).dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() <= limit) {
        return text;
    }
    // Back to the start of a character: the dump is UTF-8 (invalid bytes replaced).
    std::size_t keep = limit;
    while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) {
        --keep;
    }
    std::size_t whole = text.size();
    text.resize(keep);
    text += fmt::format(" ... [cut: {} of {} bytes]", keep, whole);
    return text;
}

}  // namespace flr::engine
