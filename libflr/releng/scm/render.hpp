// Private: the scm-request reports, as a ticket comment (Markdown) and as JSON.
#pragma once

#include "releng/scm/check.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace flr::releng::scm {

// Every check with its result, and the verdict. Opens with "## Request <verdict>".
std::string render_markdown(const Report& report);
nlohmann::json render_json(const Report& report);

// The one comment an exception request gets: who may approve, and how.
std::string render_approval_ping(const Report& report, const std::string& bot);

// The heading of flr's report of a run that stopped; a later run resumes after it.
extern const char* const stopped_heading;

}  // namespace flr::releng::scm
