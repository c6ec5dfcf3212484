// Private: Bodhi JSON answers -> flr types. Throws services::Shape.
#pragma once

#include "services/decode.hpp"

#include <flr/bodhi.hpp>

#include <vector>

namespace flr::bodhi {
// One page of a GET /updates/ answer.
struct UpdatePage {
    std::vector<Update> updates;
    int page = 1;
    int pages = 1;
};
UpdatePage update_page_from_json(const services::Json& j);
// One page of a GET /releases/ answer.
struct ReleasePage {
    std::vector<Release> releases;
    int page = 1;
    int pages = 1;
};
ReleasePage release_page_from_json(const services::Json& j);
}  // namespace flr::bodhi
