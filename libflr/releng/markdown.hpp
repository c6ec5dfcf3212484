// Private: text from tickets, commits and services made safe for a Markdown ticket
// comment, and the date form reports use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flr::releng {

// One line, no markup, at most `max` characters (then "...").
std::string markdown_text(const std::string& text, std::size_t max = 200);

// "2026-01-31" for a unix time.
std::string iso_date(std::int64_t time);

// A date as Bugzilla and Pagure give it ("2026-01-31T12:00:00Z", "2026-01-31 12:00:00",
// "2026-01-31") as unix time (UTC); nullopt when it is not one.
std::optional<std::int64_t> parse_iso_time(std::string_view text);

// Text for a public ticket comment: inert Markdown (markdown_text) with every URL
// replaced, so that no service address, session or token reaches the ticket.
std::string public_text(const std::string& text, std::size_t max = 300);

}  // namespace flr::releng
