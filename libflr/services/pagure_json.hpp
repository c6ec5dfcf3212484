// Private: Pagure API v0 answers -> flr types. Throws Shape on unexpected shapes.
#pragma once

#include "services/decode.hpp"

#include <flr/pagure.hpp>

namespace flr::pagure {

Issue issue_from_json(const services::Json& j);
Project project_from_json(const services::Json& j);
Branches branches_from_json(const services::Json& j);

// One page of GET .../issues: its issues, and whether another page follows.
struct IssuePage {
    std::vector<Issue> issues;
    bool more = false;
};
IssuePage issue_page_from_json(const services::Json& j);

}  // namespace flr::pagure
