#include "releng/image/target.hpp"

#include <charconv>

namespace flr::releng::image {

namespace {

std::optional<int> number(const std::string& text) {
    int n = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc() || p != end || n <= 0) {
        return std::nullopt;
    }
    return n;
}

}  // namespace

Releases releases_from(const std::vector<bodhi::Release>& releases) {
    Releases out;
    for (const auto& r : releases) {
        auto n = number(r.version);
        if (!n || r.id_prefix != "FEDORA" || r.name != "F" + r.version) {
            continue;  // EPEL, containers, flatpaks
        }
        if (r.branch == "rawhide") {
            out.rawhide = *n;
        } else if (r.state == "current" && (!out.stable || *n > *out.stable)) {
            out.stable = *n;
        }
    }
    return out;
}

Releases current_releases(UpdatesPort& bodhi, const WorkflowSettings& settings) {
    Releases out{settings.stable, settings.rawhide};
    if (!out.stable || !out.rawhide) {
        auto from_bodhi = releases_from(bodhi.releases());
        out.stable = out.stable ? out.stable : from_bodhi.stable;
        out.rawhide = out.rawhide ? out.rawhide : from_bodhi.rawhide;
    }
    return out;
}

Target target(const WorkflowSettings& settings, int release, const Releases& releases) {
    Target t;
    t.release = release;
    t.rawhide = releases.rawhide && *releases.rawhide == release;
    t.candidate_tag = expand(t.rawhide ? settings.rawhide_candidate_tag : settings.candidate_tag, release);
    t.updates_tag = expand(t.rawhide ? settings.rawhide_updates_tag : settings.updates_tag, release);
    t.bodhi_release = "F" + std::to_string(release);
    return t;
}

}  // namespace flr::releng::image
