#include "engine/message.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

namespace flr::engine {
namespace {

constexpr int max_depth = 200;

// Bracket depth outside strings; nlohmann's dump() and our emitters recurse.
bool too_deep(std::string_view s) noexcept {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                return true;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

std::string string_field(const Json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return {};
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned cp = 0;
        unsigned min = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1Fu, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0Fu, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07u, min = 0x10000;
        } else {
            return false;
        }
        if (i + len > n) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += len;
    }
    return true;
}

std::optional<std::string> parse_body(std::string_view bytes, std::size_t limit, Json& out) {
    if (bytes.size() > limit) {
        return fmt::format("body of {} bytes is over the {} byte limit", bytes.size(), limit);
    }
    if (!valid_utf8(bytes)) {
        return "body is not UTF-8";
    }
    if (too_deep(bytes)) {
        return fmt::format("body is nested more than {} levels deep", max_depth);
    }
    out = Json::parse(bytes, nullptr, false);
    if (out.is_discarded()) {
        return "body is not JSON";
    }
    if (!out.is_object()) {
        return "body is not a JSON object";
    }
    return std::nullopt;
}

std::string iso8601_utc(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 253402300799.0) {
        return {};
    }
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return buf;
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

}  // namespace flr::engine
