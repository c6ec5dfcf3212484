// Private: has anything in the image changed? The decision (pure, over plain data) and
// gathering its inputs through the ports.
//
// The image's source builds come from its archives' RPMs (their build_id). Each is
// compared, by rpm's rules, with the latest build of the same package in the updates tag
// and with the builds of Bodhi updates pushed stable since the image build completed. The
// input hash is a SHA-256 over the sorted NVRs of the newest build of every package in the
// image, after rpm-ostree's inputhash: equal hashes mean nothing to rebuild.
#pragma once

#include "releng/ports.hpp"
#include "releng/rpmver.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng::image {

// A source build in the image.
struct SourceBuild {
    std::string name;
    Evr evr;
    std::string nvr;
    std::vector<std::string> arches;  // the archives' arches whose RPMs come from it
};

// Where a newer build was found.
struct Origin {
    std::string tag;  // Koji: the tag and the event that tagged the build
    std::optional<std::int64_t> event;
    std::string update;  // Bodhi: the update alias
    std::string str() const;
};

struct Candidate {
    std::string name;
    Evr evr;
    std::string nvr;
    Origin origin;
};

struct Change {
    std::string package;
    std::string image_nvr;
    std::string newer_nvr;
    Origin origin;
};

struct Verdict {
    bool changed = false;
    std::vector<Change> changes;  // sorted by package
    std::string input_hash;       // sha256 hex
};

// The newest build of each of the image's packages among the image's own and the
// candidates (candidates of other packages are ignored), the changes, and the hash.
Verdict decide(const std::vector<SourceBuild>& image, const std::vector<Candidate>& candidates);

// SHA-256 (hex) over the sorted NVRs, one per line.
std::string input_hash(std::vector<std::string> nvrs);

struct ImageBuild {
    koji::Build build;
    std::vector<koji::Archive> archives;
    std::vector<SourceBuild> sources;  // sorted by name
};

// The latest image build of `package` in `tag`, its archives and source builds; nullopt
// when there is none. Throws RemoteError when an RPM names a build Koji does not know.
std::optional<ImageBuild> find_image(ImagesPort& koji, const std::string& tag, const std::string& package);

// The image build without its contents (no archive or RPM queries).
std::optional<koji::Build> latest_image(ImagesPort& koji, const std::string& tag, const std::string& package);

// Newer-build candidates for the image's packages: the latest builds in `updates_tag`
// (one bulk query) and the builds of Bodhi updates for `bodhi_release` pushed stable
// since the image build completed.
std::vector<Candidate> candidates(ImagesPort& koji, UpdatesPort& bodhi, const ImageBuild& image,
                                  const std::string& updates_tag, const std::string& bodhi_release);

// Koji's "2024-03-01 10:00:00.123+00:00" as Bodhi's "2024-03-01T10:00:00"; "" if malformed.
std::string bodhi_time(const std::string& koji_time);

}  // namespace flr::releng::image
