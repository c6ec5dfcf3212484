// Private port: Koji's image builds, what they contain, the latest builds in a tag, and
// image build submission through the KIWI plugin.
#pragma once

#include <flr/koji.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

class ImagesPort {
public:
    virtual ~ImagesPort() = default;
    // The latest build of `package` tagged in `tag` (with inheritance); nullopt when none.
    virtual std::optional<koji::Build> latest_build(const std::string& tag, const std::string& package) = 0;
    // A build's image archives (listArchives type=image), with their arch.
    virtual std::vector<koji::Archive> image_archives(std::int64_t build_id) = 0;
    // The RPMs in each archive, in one round trip.
    virtual std::vector<std::vector<koji::Rpm>> archive_rpms(const std::vector<std::int64_t>& archive_ids) = 0;
    // Builds by id, in bulk; nullopt for an unknown id.
    virtual std::vector<std::optional<koji::Build>> builds(const std::vector<std::int64_t>& ids) = 0;
    // The latest build of each package in `tag` (with inheritance), in bulk; empty where none.
    virtual std::vector<std::vector<koji::Build>> latest_builds(const std::string& tag,
                                                                const std::vector<std::string>& packages) = 0;
    virtual std::optional<koji::Task> task(std::int64_t id) = 0;
    virtual std::int64_t submit(const koji::KiwiBuild& build) = 0;
    // Where Koji serves build outputs from ("" when not configured).
    virtual std::string topurl() = 0;
};

}  // namespace flr::releng
