// The public image API: options in, report out.
#include <flr/image.hpp>

#include "core/fs.hpp"
#include "releng/adapters.hpp"
#include "releng/image/run.hpp"
#include "releng/publish.hpp"
#include "services/settings.hpp"

#include <flr/error.hpp>
#include <flr/registry.hpp>

#include <fmt/format.h>

#include <charconv>

namespace flr::image {

using namespace flr::releng;
using namespace flr::releng::image;

namespace {

Job job(const Config& config, const Options& o) {
    check_release(o.release);
    check_image(o.image);
    int release = std::stoi(o.release);
    return Job{workflow_settings(config), image_settings(config, o.image, release), release, o.dry_run};
}

template <class Report>
Output output(const Report& r, int exit_code, std::string text, nlohmann::json json) {
    Output out;
    out.exit_code = exit_code;
    out.text = std::move(text);
    out.json = json.dump(2);
    out.failure = r.failure;
    return out;
}

registry::Options registry_options(const Config& config, const WorkflowSettings& w, bool dry_run) {
    registry::Options o;
    if (!w.registry.auth_file.empty()) {
        o.auth_file = services::config_path(config, w.registry.auth_file);
    }
    if (!w.registry.ca_bundle.empty()) {
        o.ca_bundle = services::config_path(config, w.registry.ca_bundle);
    }
    o.plain_http = w.registry.plain_http;
    o.dry_run = dry_run;
    return o;
}

}  // namespace

void check_release(const std::string& release) {
    int n = 0;
    const char* end = release.data() + release.size();
    auto [p, ec] = std::from_chars(release.data(), end, n);
    if (release.empty() || release.size() > 4 || release[0] == '0' || ec != std::errc() || p != end || n <= 0) {
        throw UsageError(fmt::format("--release {}: not a Fedora release number", release));
    }
}

void check_image(const std::string& image) {
    bool ok = !image.empty() && image.size() <= 64 && image.front() != '-' &&
              image.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
    if (!ok) {
        throw UsageError(fmt::format("--image {}: not an image name (lower-case letters, digits, dashes)", image));
    }
}

Output changed(const Config& config, const Options& o) {
    Job j = job(config, o);
    ServicePorts services(config, {});
    auto r = run_check(services.ports(), j);
    Output out;
    out.exit_code = r.verdict.changed ? exit_changed : exit_unchanged;
    out.text = check_text(r);
    out.json = check_json(r).dump(2);
    return out;
}

Output rebuild(const Config& config, const Options& o) {
    Job j = job(config, o);
    ServicePorts services(config, {});
    auto r = run_rebuild(services.ports(), j);
    return output(r, r.failure ? 1 : 0, rebuild_text(r), rebuild_json(r));
}

Output release(const Config& config, const Options& o) {
    Job j = job(config, o);
    ServicePorts services(config, {});
    auto publish = registry_publisher(config, registry_options(config, j.settings, j.dry_run));
    fs::TempDir scratch("flr-image");
    auto r = run_release(services.ports(), *publish, j, scratch.path());
    return output(r, r.failure ? 1 : 0, release_text(r), release_json(r));
}

}  // namespace flr::image
