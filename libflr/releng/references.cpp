#include "releng/references.hpp"

#include <flr/error.hpp>
#include <flr/ticket.hpp>

#include <fmt/format.h>

#include <regex>

namespace flr::releng {

std::int64_t ticket_id(const std::string& given, const TicketsPort& tickets, std::string_view option) {
    if (!given.empty() && given.find_first_not_of("0123456789") == std::string::npos) {
        return flr::ticket::parse_id(given);
    }
    static const std::regex url_re("^(.+/issue/)([1-9][0-9]{0,9})$");
    std::smatch m;
    if (std::regex_match(given, m, url_re)) {
        std::int64_t id = std::stoll(m[2].str());
        if (tickets.url(id) == given) {
            return id;
        }
    }
    throw UsageError(
        fmt::format("{}: \"{}\" is not a ticket of the queue ({})", option, given.substr(0, 200), tickets.url(1)));
}

std::optional<std::int64_t> find_bug_reference(std::string_view text) {
    static const std::regex link(R"((?:show_bug\.cgi\?id=|bugzilla\.redhat\.com/|rhbz#)([1-9][0-9]{0,9}))",
                                 std::regex::icase);
    static const std::regex bare(R"(^\s*([1-9][0-9]{0,9})\s*$)");
    std::string s(text.substr(0, 20000));
    std::smatch m;
    if (std::regex_search(s, m, link) || std::regex_match(s, m, bare)) {
        return std::stoll(m[1].str());
    }
    return std::nullopt;
}

}  // namespace flr::releng
