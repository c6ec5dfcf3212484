#include "releng/image/check.hpp"

#include "core/http_stream.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace flr::releng::image {

std::string Origin::str() const {
    if (!update.empty()) {
        return "Bodhi update " + update;
    }
    return event ? fmt::format("{} (event {})", tag, *event) : tag;
}

std::string input_hash(std::vector<std::string> nvrs) {
    std::sort(nvrs.begin(), nvrs.end());
    http::Sha256 sha;
    for (const auto& nvr : nvrs) {
        sha.update(nvr);
        sha.update("\n");
    }
    return sha.hex();
}

Verdict decide(const std::vector<SourceBuild>& image, const std::vector<Candidate>& candidates) {
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(image.size());
    for (std::size_t i = 0; i < image.size(); ++i) {
        index.emplace(image[i].name, i);
    }
    // The newest candidate so far per image package (index into `candidates`).
    std::vector<const Candidate*> newest(image.size(), nullptr);
    for (const auto& c : candidates) {
        auto it = index.find(c.name);
        if (it == index.end()) {
            continue;
        }
        const Candidate*& best = newest[it->second];
        const Evr& current = best != nullptr ? best->evr : image[it->second].evr;
        if (compare_evr(c.evr, current) > 0) {
            best = &c;
        }
    }
    Verdict v;
    std::vector<std::string> nvrs;
    nvrs.reserve(image.size());
    for (std::size_t i = 0; i < image.size(); ++i) {
        if (newest[i] == nullptr) {
            nvrs.push_back(image[i].nvr);
            continue;
        }
        nvrs.push_back(newest[i]->nvr);
        v.changes.push_back({image[i].name, image[i].nvr, newest[i]->nvr, newest[i]->origin});
    }
    std::sort(v.changes.begin(), v.changes.end(),
              [](const Change& a, const Change& b) { return a.package < b.package; });
    v.changed = !v.changes.empty();
    v.input_hash = input_hash(std::move(nvrs));
    return v;
}

std::optional<koji::Build> latest_image(ImagesPort& koji, const std::string& tag, const std::string& package) {
    auto build = koji.latest_build(tag, package);
    if (build && build->state != koji::BuildState::complete) {
        return std::nullopt;
    }
    return build;
}

std::optional<ImageBuild> find_image(ImagesPort& koji, const std::string& tag, const std::string& package) {
    auto build = latest_image(koji, tag, package);
    if (!build) {
        return std::nullopt;
    }
    ImageBuild image{*build, koji.image_archives(build->id), {}};
    std::vector<std::int64_t> archive_ids;
    for (const auto& a : image.archives) {
        archive_ids.push_back(a.id);
    }
    auto rpm_lists = koji.archive_rpms(archive_ids);
    std::map<std::int64_t, std::set<std::string>> arches_by_build;
    for (std::size_t i = 0; i < rpm_lists.size() && i < image.archives.size(); ++i) {
        for (const auto& rpm : rpm_lists[i]) {
            arches_by_build[rpm.build_id].insert(image.archives[i].arch);
        }
    }
    std::vector<std::int64_t> build_ids;
    for (const auto& [id, arches] : arches_by_build) {
        build_ids.push_back(id);
    }
    auto builds = koji.builds(build_ids);
    for (std::size_t i = 0; i < build_ids.size(); ++i) {
        if (i >= builds.size() || !builds[i]) {
            throw RemoteError("koji", fmt::format("{}: an RPM in the image names build {}, which Koji does not know",
                                                  build->nvr, build_ids[i]));
        }
        const auto& b = *builds[i];
        const auto& arches = arches_by_build[build_ids[i]];
        image.sources.push_back({b.name, Evr{b.epoch, b.version, b.release}, b.nvr,
                                 std::vector<std::string>(arches.begin(), arches.end())});
    }
    std::sort(image.sources.begin(), image.sources.end(),
              [](const SourceBuild& a, const SourceBuild& b) { return a.name < b.name; });
    return image;
}

std::string bodhi_time(const std::string& koji_time) {
    if (koji_time.size() < 19 || koji_time[4] != '-' || koji_time[10] != ' ') {
        return {};
    }
    std::string out = koji_time.substr(0, 19);
    out[10] = 'T';
    return out;
}

std::vector<Candidate> candidates(ImagesPort& koji, UpdatesPort& bodhi, const ImageBuild& image,
                                  const std::string& updates_tag, const std::string& bodhi_release) {
    std::vector<std::string> names;
    std::set<std::string_view> in_image;
    for (const auto& s : image.sources) {
        names.push_back(s.name);
        in_image.insert(s.name);
    }
    std::vector<Candidate> out;
    for (const auto& builds : koji.latest_builds(updates_tag, names)) {
        for (const auto& b : builds) {
            out.push_back({b.name, Evr{b.epoch, b.version, b.release}, b.nvr,
                           Origin{b.tag_name.empty() ? updates_tag : b.tag_name, b.tag_event, {}}});
        }
    }
    std::string since = bodhi_time(image.build.completion_time);
    if (since.empty()) {
        throw RemoteError("koji", fmt::format("{}: no completion time", image.build.nvr));
    }
    for (const auto& u : bodhi.stable_since(bodhi_release, since)) {
        for (const auto& b : u.builds) {
            if (!b.type.empty() && b.type != "rpm") {
                continue;
            }
            auto nvr = split_nvr(b.nvr);
            if (!nvr || in_image.count(nvr->name) == 0) {
                continue;
            }
            if (b.epoch != 0) {
                nvr->evr.epoch = b.epoch;
            }
            out.push_back({nvr->name, nvr->evr, b.nvr, Origin{{}, std::nullopt, u.alias}});
        }
    }
    return out;
}

}  // namespace flr::releng::image
