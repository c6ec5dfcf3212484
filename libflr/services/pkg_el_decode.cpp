#include "services/pkg_el_decode.hpp"

namespace flr::pkg_el {

using services::Json;

Release release_from_json(const Json& j) {
    services::expect_object(j, "a package list");
    Release r;
    r.arches = services::strings(j, "arches");
    const Json& packages = services::object(j, "packages");
    if (packages.is_null()) {
        return r;
    }
    for (const auto& [name, entry] : packages.items()) {
        services::expect_object(entry, "a package entry");
        r.packages[name] = services::strings(entry, "arch");
    }
    return r;
}

}  // namespace flr::pkg_el
