#include "services/bugzilla_decode.hpp"

namespace flr::bugzilla {

using services::Json;

namespace {

Flag flag_from_json(const Json& j) {
    services::expect_object(j, "a flag");
    Flag f{services::num(j, "id"),
           services::str(j, "name"),
           services::str(j, "status"),
           services::str(j, "setter"),
           services::str(j, "creation_date"),
           services::str(j, "modification_date"),
           0};
    f.modified = services::parse_utc(f.modification_date);
    return f;
}

std::string first_or_string(const Json& j, const char* key) {
    const Json& v = j.contains(key) ? j[key] : Json();
    if (v.is_array()) {
        return v.empty() ? std::string() : services::strings(j, key).front();
    }
    return services::str(j, key);
}

}  // namespace

std::optional<Bug> bug_from_json(const Json& j) {
    services::expect_object(j, "a bug list");
    const Json& bugs = services::array(j, "bugs");
    if (bugs.empty()) {
        return std::nullopt;
    }
    const Json& b = bugs[0];
    services::expect_object(b, "a bug");
    Bug bug;
    bug.id = services::num(b, "id");
    bug.summary = services::str(b, "summary");
    bug.product = services::str(b, "product");
    bug.component = first_or_string(b, "component");
    bug.status = services::str(b, "status");
    bug.resolution = services::str(b, "resolution");
    bug.creator = services::str(b, "creator");
    bug.assigned_to = services::str(b, "assigned_to");
    bug.creation_time = services::str(b, "creation_time");
    bug.last_change_time = services::str(b, "last_change_time");
    for (const auto& f : services::array(b, "flags")) {
        bug.flags.push_back(flag_from_json(f));
    }
    return bug;
}

std::vector<std::string> comments_from_json(const Json& j, std::int64_t id) {
    services::expect_object(j, "a comment list");
    const Json& bugs = services::object(j, "bugs");
    std::vector<std::string> out;
    if (bugs.is_null()) {
        return out;
    }
    const Json& bug = services::object(bugs, std::to_string(id).c_str());
    if (bug.is_null()) {
        return out;
    }
    for (const auto& c : services::array(bug, "comments")) {
        services::expect_object(c, "a comment");
        out.push_back(services::str(c, "text"));
    }
    return out;
}

}  // namespace flr::bugzilla
