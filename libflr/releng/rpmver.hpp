// Private: RPM versions compared by librpm's own rules (rpmverCmp in <rpm/rpmver.h>):
// tilde sorts before anything, caret after, leading zeros and separators as rpm says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flr::releng {

// Epoch, version, release. No epoch (Koji's `epoch: null`) compares as epoch 0; an
// empty release is left out of the comparison, as rpm does.
struct Evr {
    std::optional<std::int64_t> epoch;
    std::string version;
    std::string release;

    // "[E:]V-R"
    std::string str() const;
};

// <0, 0 or >0 as a sorts before, with or after b.
int compare_evr(const Evr& a, const Evr& b);

// "name-version-release" split at its last two dashes; nullopt when it has fewer parts.
struct Nvr {
    std::string name;
    Evr evr;
};
std::optional<Nvr> split_nvr(std::string_view nvr);

}  // namespace flr::releng
