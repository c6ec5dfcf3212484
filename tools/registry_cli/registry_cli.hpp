// What flr-registry-push and flr-registry-promote share: the registry options, the
// progress display on stderr and the report on stdout.
#pragma once

#include "cli.hpp"

#include <flr/registry.hpp>

namespace flr::cli {

class RegistryCli {
public:
    // Adds --authfile, --plain-http, --ca-bundle, --parallel, --retries, --chunk-size.
    explicit RegistryCli(Tool& tool);
    // The options after parsing, with the progress display attached.
    registry::Options options();
    // The report: JSON with --json, else one line per manifest.
    void print(const registry::Report& report) const;

private:
    Tool& tool_;
    registry::Options options_;
    std::uint64_t chunk_mib_ = 64;
};

}  // namespace flr::cli
