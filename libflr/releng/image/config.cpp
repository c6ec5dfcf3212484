#include "releng/image/config.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

namespace flr::releng::image {

namespace {

const std::vector<std::string_view> image_keys = {"package",         "repository",       "target",
                                                  "description_url", "description_path", "profile",
                                                  "arches",          "optional_arches",  "releases"};

// Apply the keys `section` sets onto `s`.
void apply(const Config& section, ImageSettings& s) {
    s.package = section.string_or("package", s.package);
    s.repository = section.string_or("repository", s.repository);
    s.target = section.string_or("target", s.target);
    s.description_url = section.string_or("description_url", s.description_url);
    s.description_path = section.string_or("description_path", s.description_path);
    s.profile = section.string_or("profile", s.profile);
    if (section.has("arches")) {
        s.arches = section.strings("arches");
    }
    if (section.has("optional_arches")) {
        s.optional_arches = section.strings("optional_arches");
    }
}

std::optional<int> release_number(const Config& c, std::string_view key) {
    auto v = c.integer(key);
    if (!v) {
        return std::nullopt;
    }
    if (*v < 1 || *v > 9999) {
        throw ConfigError(fmt::format("{}: not a release number", c.where(key)));
    }
    return static_cast<int>(*v);
}

}  // namespace

WorkflowSettings workflow_settings(const Config& root) {
    Config c = root.section("image");
    c.check_keys({"state_dir", "candidate_tag", "updates_tag", "rawhide_candidate_tag", "rawhide_updates_tag", "stable",
                  "rawhide", "registries", "registry_auth_file", "registry_ca_bundle", "registry_plain_http",
                  "images"});
    WorkflowSettings w;
    w.state_dir = c.string_or("state_dir", w.state_dir);
    w.candidate_tag = c.string_or("candidate_tag", w.candidate_tag);
    w.updates_tag = c.string_or("updates_tag", w.updates_tag);
    w.rawhide_candidate_tag = c.string_or("rawhide_candidate_tag", w.rawhide_candidate_tag);
    w.rawhide_updates_tag = c.string_or("rawhide_updates_tag", w.rawhide_updates_tag);
    w.stable = release_number(c, "stable");
    w.rawhide = release_number(c, "rawhide");
    w.registry.registries = c.strings("registries");
    w.registry.auth_file = c.string_or("registry_auth_file", "");
    w.registry.ca_bundle = c.string_or("registry_ca_bundle", "");
    w.registry.plain_http = c.boolean_or("registry_plain_http", false);
    return w;
}

ImageSettings image_settings(const Config& root, const std::string& name, int release) {
    Config images = root.section("image").section("images");
    if (!images.has(name)) {
        throw UsageError(fmt::format("--image {}: not an image in {} (image.images)", name,
                                     root.source().empty() ? "the configuration" : root.source()));
    }
    Config section = images.section(name);
    section.check_keys(image_keys);
    ImageSettings s;
    s.name = name;
    s.repository = name;
    apply(section, s);
    Config over = section.section("releases").section(std::to_string(release));
    if (over.kind() == Config::Kind::map) {
        std::vector<std::string_view> keys(image_keys.begin(), image_keys.end() - 1);
        over.check_keys(keys);
        apply(over, s);
    }
    if (s.package.empty()) {
        throw ConfigError(fmt::format("{}: no Koji package", section.where("package")));
    }
    return s;
}

std::string expand(const std::string& templ, int release) {
    std::string out;
    std::string n = std::to_string(release);
    for (std::size_t i = 0; i < templ.size(); ++i) {
        if (templ.compare(i, 3, "{N}") == 0) {
            out += n;
            i += 2;
        } else {
            out += templ[i];
        }
    }
    return out;
}

}  // namespace flr::releng::image
