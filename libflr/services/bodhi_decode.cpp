#include "services/bodhi_decode.hpp"

namespace flr::bodhi {

using services::Json;

namespace {

Update update_from_json(const Json& j) {
    services::expect_object(j, "an update");
    Update u;
    u.alias = services::str(j, "alias");
    u.status = services::str(j, "status");
    const Json& release = services::object(j, "release");
    u.release = release.is_null() ? std::string() : services::str(release, "name");
    u.date_pushed = services::str(j, "date_pushed");
    u.date_stable = services::str(j, "date_stable");
    u.pushed = services::parse_utc(u.date_pushed);
    for (const auto& b : services::array(j, "builds")) {
        services::expect_object(b, "a build");
        u.builds.push_back({services::str(b, "nvr"), services::str(b, "type"), services::num(b, "epoch")});
    }
    return u;
}

}  // namespace

UpdatePage update_page_from_json(const Json& j) {
    services::expect_object(j, "an update list");
    UpdatePage page;
    for (const auto& u : services::array(j, "updates")) {
        page.updates.push_back(update_from_json(u));
    }
    page.page = static_cast<int>(services::num(j, "page"));
    page.pages = static_cast<int>(services::num(j, "pages"));
    return page;
}

ReleasePage release_page_from_json(const Json& j) {
    services::expect_object(j, "a release list");
    ReleasePage page;
    for (const auto& r : services::array(j, "releases")) {
        services::expect_object(r, "a release");
        page.releases.push_back({services::str(r, "name"), services::str(r, "version"), services::str(r, "branch"),
                                 services::str(r, "state"), services::str(r, "id_prefix")});
    }
    page.page = static_cast<int>(services::num(j, "page"));
    page.pages = static_cast<int>(services::num(j, "pages"));
    return page;
}

}  // namespace flr::bodhi
