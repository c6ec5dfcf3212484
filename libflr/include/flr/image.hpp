// The container base image workflow: flr-image-changed(1) (has any package in the image
// been updated?), flr-image-rebuild(1) (submit a KIWI build in Koji, once per change) and
// flr-image-release(1) (push the newest build to the registries, if one was made since the
// last release). Settings: flr.yaml(5) section `image`; services: `koji`, `bodhi`.
#pragma once

#include <flr/config.hpp>
#include <flr/export.hpp>

#include <exception>
#include <string>

namespace flr::image {

// Exit codes of flr-image-changed (see flr-image-changed(1)).
inline constexpr int exit_changed = 0;    // a package in the image has a newer build: rebuild
inline constexpr int exit_unchanged = 1;  // nothing newer: nothing to rebuild

struct Options {
    std::string image = "fedora";
    std::string release;  // "41"
    bool dry_run = false;
};

struct Output {
    int exit_code = 0;
    std::string text;            // for humans
    std::string json;            // the same content as one JSON document
    std::exception_ptr failure;  // a step failed (flr-image-release): `json` holds the record
};

// Strict checks of command-line values; each throws UsageError naming the value.
FLR_EXPORT void check_release(const std::string& release);
FLR_EXPORT void check_image(const std::string& image);

FLR_EXPORT Output changed(const Config& config, const Options& options);
FLR_EXPORT Output rebuild(const Config& config, const Options& options);
FLR_EXPORT Output release(const Config& config, const Options& options);

}  // namespace flr::image
