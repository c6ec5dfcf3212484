// Private: which tags and Bodhi release an image of release N is checked against, and
// which numbers are the current stable release and rawhide (Bodhi's releases API, or the
// `image.stable` / `image.rawhide` overrides; never built in).
#pragma once

#include "releng/image/config.hpp"
#include "releng/ports.hpp"

#include <optional>
#include <string>

namespace flr::releng::image {

struct Releases {
    std::optional<int> stable;
    std::optional<int> rawhide;
};

// The overrides where set; Bodhi is asked only for what they leave open.
Releases current_releases(UpdatesPort& bodhi, const WorkflowSettings& settings);
// From Bodhi's release list: the newest current Fedora release, and the one on rawhide.
Releases releases_from(const std::vector<bodhi::Release>& releases);

struct Target {
    int release = 0;
    bool rawhide = false;
    std::string candidate_tag;  // where image builds are tagged
    std::string updates_tag;    // where newer package builds are looked for
    std::string bodhi_release;  // "F41"
};

Target target(const WorkflowSettings& settings, int release, const Releases& releases);

}  // namespace flr::releng::image
