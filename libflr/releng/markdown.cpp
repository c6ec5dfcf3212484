#include "releng/markdown.hpp"

#include <ctime>
#include <string_view>

namespace flr::releng {

std::string iso_date(std::int64_t time) {
    std::time_t t = static_cast<std::time_t>(time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
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
