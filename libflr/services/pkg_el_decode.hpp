// Private: pkg_el{N}.json -> flr types. Throws services::Shape.
#pragma once

#include "services/decode.hpp"

#include <flr/pkg_el.hpp>

namespace flr::pkg_el {
// {"arches": [...], "packages": {"<name>": {"arch": [...]}, ...}}
Release release_from_json(const services::Json& j);
}  // namespace flr::pkg_el
