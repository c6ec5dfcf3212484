// Private: the check report as a Markdown ticket comment and as JSON (the same content).
#pragma once

#include "releng/markdown.hpp"
#include "releng/unretirement/check.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace flr::releng::unretirement {

std::string render_markdown(const CheckReport& report);
nlohmann::json render_json(const CheckReport& report);

}  // namespace flr::releng::unretirement
