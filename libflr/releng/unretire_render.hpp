// Private: the check report as a Markdown ticket comment and as JSON (the same content).
#pragma once

#include "releng/unretire_check.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace flr::releng {

std::string render_markdown(const CheckReport& report);
nlohmann::json render_json(const CheckReport& report);

// Text from tickets and commits, made inert for a Markdown comment (one line, no markup).
std::string markdown_text(const std::string& text, std::size_t max = 200);

// "2026-01-31" for a unix time.
std::string iso_date(std::int64_t time);

}  // namespace flr::releng
