#include "engine/message.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace flr::engine {
namespace {

// A JSON parser that builds the same nlohmann::json values as Json::parse (strict RFC
// 8259, a leading UTF-8 BOM allowed, positive integers unsigned, integers that overflow
// become floats, non-finite floats refused, the last of duplicate keys wins), but scans
// string runs in blocks instead of one character at a time, and checks UTF-8 and the
// nesting depth as it goes. Any input it refuses is then classified by the slower
// checks below, so the reasons stay the same. tests/fuzz/listen_message_fuzz.cpp
// compares it with nlohmann's parser.
class FastParser {
public:
    explicit FastParser(std::string_view s)
        : p_(reinterpret_cast<const unsigned char*>(s.data())), end_(p_ + s.size()) {}

    bool parse(Json& out) {
        if (end_ - p_ >= 1 && p_[0] == 0xEF) {
            if (end_ - p_ < 3 || p_[1] != 0xBB || p_[2] != 0xBF) {
                return false;
            }
            p_ += 3;
        }
        skip_ws();
        if (!value(out, 0)) {
            return false;
        }
        skip_ws();
        // nlohmann's lexer takes a NUL byte for the end of input, and so ignores what
        // follows one after the value: kept, so that the same bodies are accepted.
        stopped_at_nul_ = p_ != end_;
        return p_ == end_ || *p_ == '\0';
    }

    // parse() ended at a NUL byte: the bytes after it are not checked yet.
    bool stopped_at_nul() const { return stopped_at_nul_; }

private:
    // 0: copied as is inside a string; 1: '"', '\\' or a control character; 2: not ASCII.
    static constexpr auto string_class = [] {
        std::array<unsigned char, 256> t{};
        for (int c = 0; c < 256; ++c) {
            t[static_cast<std::size_t>(c)] = c < 0x20 || c == '"' || c == '\\' ? 1 : c >= 0x80 ? 2 : 0;
        }
        return t;
    }();

    void skip_ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
            ++p_;
        }
    }

    bool literal(const char* word, std::size_t n) {
        if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
            return false;
        }
        p_ += n;
        return true;
    }

    bool value(Json& out, int depth) {
        if (p_ == end_) {
            return false;
        }
        switch (*p_) {
            case '{':
                return object(out, depth + 1);
            case '[':
                return array(out, depth + 1);
            case '"':
                out = Json::value_t::string;
                return string(out.get_ref<std::string&>());
            case 't':
                out = true;
                return literal("true", 4);
            case 'f':
                out = false;
                return literal("false", 5);
            case 'n':
                out = nullptr;
                return literal("null", 4);
            default:
                return number(out);
        }
    }

    // Consumes `c` when it is next.
    bool eat(char c) {
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }

    // After a member or element: true with `done` set at the closing bracket, true at a
    // comma (whitespace after it skipped), false on anything else.
    bool next_or_close(char close, bool& done) {
        skip_ws();
        if (eat(',')) {
            skip_ws();
            return true;
        }
        done = eat(close);
        return done;
    }

    bool object(Json& out, int depth) {
        if (depth > max_body_depth) {
            return false;
        }
        ++p_;
        out = Json::value_t::object;
        auto& obj = out.get_ref<Json::object_t&>();
        skip_ws();
        for (bool done = eat('}'); !done;) {
            if (p_ == end_ || *p_ != '"') {
                return false;
            }
            key_.clear();
            if (!string(key_)) {
                return false;
            }
            skip_ws();
            if (!eat(':')) {
                return false;
            }
            skip_ws();
            if (!value(obj[key_], depth) || !next_or_close('}', done)) {
                return false;
            }
        }
        return true;
    }

    bool array(Json& out, int depth) {
        if (depth > max_body_depth) {
            return false;
        }
        ++p_;
        out = Json::value_t::array;
        auto& arr = out.get_ref<Json::array_t&>();
        skip_ws();
        for (bool done = eat(']'); !done;) {
            arr.emplace_back();
            if (!value(arr.back(), depth) || !next_or_close(']', done)) {
                return false;
            }
        }
        return true;
    }

    static bool in(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

    // One UTF-8 sequence at p_ (RFC 3629, as nlohmann's lexer checks it), copied to out.
    bool utf8(std::string& out) {
        unsigned char c = *p_;
        std::size_t left = static_cast<std::size_t>(end_ - p_);
        std::size_t len = 0;
        if (in(c, 0xC2, 0xDF)) {
            len = 2;
            if (left < 2 || !in(p_[1], 0x80, 0xBF)) {
                return false;
            }
        } else if (in(c, 0xE0, 0xEF)) {
            len = 3;
            unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
            unsigned char hi = c == 0xED ? 0x9F : 0xBF;
            if (left < 3 || !in(p_[1], lo, hi) || !in(p_[2], 0x80, 0xBF)) {
                return false;
            }
        } else if (in(c, 0xF0, 0xF4)) {
            len = 4;
            unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
            unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
            if (left < 4 || !in(p_[1], lo, hi) || !in(p_[2], 0x80, 0xBF) || !in(p_[3], 0x80, 0xBF)) {
                return false;
            }
        } else {
            return false;
        }
        out.append(reinterpret_cast<const char*>(p_), len);
        p_ += len;
        return true;
    }

    bool hex4(unsigned& v) {
        if (end_ - p_ < 4) {
            return false;
        }
        v = 0;
        for (int i = 0; i < 4; ++i) {
            unsigned char c = *p_++;
            unsigned d = in(c, '0', '9')   ? c - '0'
                         : in(c, 'a', 'f') ? c - 'a' + 10
                         : in(c, 'A', 'F') ? c - 'A' + 10
                                           : 16;
            if (d == 16) {
                return false;
            }
            v = (v << 4) | d;
        }
        return true;
    }

    bool escape(std::string& out) {
        if (p_ == end_) {
            return false;
        }
        // The one-character escapes, and what each stands for.
        static constexpr std::string_view from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
        char c = *p_++;
        if (auto at = from.find(c); at != std::string_view::npos) {
            out.push_back(to[at]);
            return true;
        }
        if (c != 'u') {
            return false;
        }
        unsigned cp = 0;
        if (!hex4(cp)) {
            return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
                return false;
            }
            p_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) {
                return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
        }
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        return true;
    }

    // p_ is at the opening quote.
    bool string(std::string& out) {
        ++p_;
        for (;;) {
            const unsigned char* run = p_;
            while (p_ < end_ && string_class[*p_] == 0) {
                ++p_;
            }
            out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
            if (p_ == end_) {
                return false;
            }
            unsigned char c = *p_;
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c == '\\') {
                ++p_;
                if (!escape(out)) {
                    return false;
                }
            } else if (c >= 0x80) {
                if (!utf8(out)) {
                    return false;
                }
            } else {
                return false;  // a control character
            }
        }
    }

    static bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

    bool number(Json& out) {
        const unsigned char* start = p_;
        bool negative = false;
        bool integral = true;
        if (*p_ == '-') {
            negative = true;
            ++p_;
        }
        if (p_ == end_ || !digit(*p_)) {
            return false;
        }
        if (*p_ == '0') {
            ++p_;
        } else {
            while (p_ < end_ && digit(*p_)) {
                ++p_;
            }
        }
        if (p_ < end_ && *p_ == '.') {
            integral = false;
            ++p_;
            if (p_ == end_ || !digit(*p_)) {
                return false;
            }
            while (p_ < end_ && digit(*p_)) {
                ++p_;
            }
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integral = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) {
                ++p_;
            }
            if (p_ == end_ || !digit(*p_)) {
                return false;
            }
            while (p_ < end_ && digit(*p_)) {
                ++p_;
            }
        }
        std::string_view text(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p_ - start));
        if (integral) {
            // Exact, with overflow detection; what strtoull/strtoll give when errno stays 0.
            std::uint64_t v = 0;
            bool overflow = false;
            for (char ch : text.substr(negative ? 1 : 0)) {
                auto d = static_cast<unsigned>(ch - '0');
                if (v > (UINT64_MAX - d) / 10) {
                    overflow = true;
                    break;
                }
                v = v * 10 + d;
            }
            if (!overflow && !negative) {
                out = static_cast<Json::number_unsigned_t>(v);
                return true;
            }
            if (!overflow && v <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
                out = v == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN
                                                                     : -static_cast<Json::number_integer_t>(v);
                return true;
            }
        }
        // As nlohmann: strtod on the token, with the locale's decimal point.
        num_.assign(text);
        if (char point = *std::localeconv()->decimal_point; point != '.' && point != '\0') {
            for (char& ch : num_) {
                ch = ch == '.' ? point : ch;
            }
        }
        double d = std::strtod(num_.c_str(), nullptr);
        if (!std::isfinite(d)) {
            return false;
        }
        out = d;
        return true;
    }

    const unsigned char* p_;
    const unsigned char* end_;
    std::string key_;
    std::string num_;
    bool stopped_at_nul_ = false;
};

std::string string_field(const Json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return {};
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

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
            if (++depth > max_body_depth) {
                return true;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

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
    FastParser parser(bytes);
    bool ok = parser.parse(out);
    if (ok && parser.stopped_at_nul() && (!valid_utf8(bytes) || too_deep(bytes))) {
        ok = false;  // the whole body is checked for UTF-8 and depth, NUL or not
    }
    if (!ok) {
        // Refused: the reason, in the documented order.
        out = Json();
        if (!valid_utf8(bytes)) {
            return "body is not UTF-8";
        }
        if (too_deep(bytes)) {
            return fmt::format("body is nested more than {} levels deep", max_body_depth);
        }
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

}  // namespace flr::engine
