// Private: Bugzilla and Bodhi JSON answers -> flr types. Throws services::Shape.
#pragma once

#include "services/decode.hpp"

#include <flr/bodhi.hpp>
#include <flr/bugzilla.hpp>

namespace flr::bugzilla {
// The first bug of a GET /rest/bug/<id> answer; nullopt when "bugs" is empty.
std::optional<Bug> bug_from_json(const services::Json& j);
}  // namespace flr::bugzilla

namespace flr::bodhi {
struct UpdatePage {
    std::vector<Update> updates;
    int page = 1;
    int pages = 1;
};
UpdatePage update_page_from_json(const services::Json& j);
}  // namespace flr::bodhi
