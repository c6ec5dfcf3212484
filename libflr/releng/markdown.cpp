#include "releng/markdown.hpp"

#include "core/text.hpp"

#include <cstdio>
#include <ctime>
#include <regex>
#include <string_view>

namespace flr::releng {

std::string iso_date(std::int64_t time) {
    return text::utc_date(time);
}

std::optional<std::int64_t> parse_iso_time(std::string_view text) {
    static const std::regex re(
        R"(^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|UTC|[+-]00:?00)?$)");
    std::string s(text.substr(0, 64));
    std::smatch m;
    if (!std::regex_match(s, m, re)) {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = std::stoi(m[1].str()) - 1900;
    tm.tm_mon = std::stoi(m[2].str()) - 1;
    tm.tm_mday = std::stoi(m[3].str());
    tm.tm_hour = m[4].matched ? std::stoi(m[4].str()) : 0;
    tm.tm_min = m[5].matched ? std::stoi(m[5].str()) : 0;
    tm.tm_sec = m[6].matched ? std::stoi(m[6].str()) : 0;
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string public_text(const std::string& text, std::size_t max) {
    static const std::regex url(R"([a-zA-Z][a-zA-Z0-9+.-]*://[^\s"']*)");
    static const std::regex param(R"(\b(session-id|session-key|token|api_key|password)\b\s*[=:]\s*\S+)",
                                  std::regex::icase);
    std::string out = std::regex_replace(text, url, "(a service URL)");
    out = std::regex_replace(out, param, "$1 (redacted)");
    return markdown_text(out, max);
}

std::string markdown_text(const std::string& text, std::size_t max) {
    std::string out;
    for (char c : text.substr(0, max)) {
        if (c == '\n' || c == '\r' || c == '\t') {
            out += ' ';
        } else if (std::string_view("\\`*_[]<>|#!~{}").find(c) != std::string_view::npos) {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) >= 0x20) {
            out += c;
        }
    }
    return text.size() > max ? out + "..." : out;
}

}  // namespace flr::releng
