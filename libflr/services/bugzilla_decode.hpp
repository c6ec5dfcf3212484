// Private: Bugzilla JSON answers -> flr types. Throws services::Shape.
#pragma once

#include "services/decode.hpp"

#include <flr/bugzilla.hpp>

#include <optional>

namespace flr::bugzilla {
// The first bug of a GET /rest/bug/<id> answer; nullopt when "bugs" is empty.
std::optional<Bug> bug_from_json(const services::Json& j);
// GET /rest/bug/<id>/comment: {"bugs": {"<id>": {"comments": [{"text": ...}, ...]}}} -> the texts.
std::vector<std::string> comments_from_json(const services::Json& j, std::int64_t id);
}  // namespace flr::bugzilla
