// Private: text from tickets, commits and services made safe for a Markdown ticket
// comment, and the date form reports use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace flr::releng {

// One line, no markup, at most `max` characters (then "...").
std::string markdown_text(const std::string& text, std::size_t max = 200);

// "2026-01-31" for a unix time.
std::string iso_date(std::int64_t time);

}  // namespace flr::releng
