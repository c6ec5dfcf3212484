// Private: the image workflow's settings from flr.yaml(5), section `image`: the images
// and their Koji packages (with per-release overrides), the tags, the registries and
// where state is kept.
#pragma once

#include <flr/config.hpp>

#include <optional>
#include <string>
#include <vector>

namespace flr::releng::image {

// One image for one release, every per-release override applied.
struct ImageSettings {
    std::string name;        // "fedora": the image name in flr and in the registries
    std::string package;     // the Koji package, "Fedora-Container-Base-Generic"
    std::string repository;  // the repository in each registry (default: name)
    std::string target;      // kiwiBuild's build target
    std::string description_url;
    std::string description_path;
    std::string profile;
    std::vector<std::string> arches;
    std::vector<std::string> optional_arches;
};

struct RegistrySettings {
    std::vector<std::string> registries;  // "registry.fedoraproject.org", "quay.io/fedora"
    std::string auth_file;
    std::string ca_bundle;
    bool plain_http = false;
};

struct WorkflowSettings {
    std::string state_dir = "/var/lib/flr";
    std::string candidate_tag = "f{N}-updates-candidate";
    std::string updates_tag = "f{N}-updates";
    std::string rawhide_candidate_tag = "f{N}";
    std::string rawhide_updates_tag = "f{N}";
    std::optional<int> stable;   // overrides Bodhi's current stable release
    std::optional<int> rawhide;  // overrides Bodhi's rawhide
    RegistrySettings registry;
};

WorkflowSettings workflow_settings(const Config& root);
// Throws UsageError for an image the configuration does not name.
ImageSettings image_settings(const Config& root, const std::string& name, int release);
// A tag template with {N} replaced by the release.
std::string expand(const std::string& templ, int release);

}  // namespace flr::releng::image
