#include "releng/image/run.hpp"

#include "core/text.hpp"
#include "releng/image/state.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::releng::image {

using Json = nlohmann::json;

namespace {

Target resolve(const Ports& ports, const Job& job) {
    return target(job.settings, job.release, current_releases(*ports.updates, job.settings));
}

std::string now(const Ports& ports) {
    return text::utc_timestamp(ports.clock->now());
}

const char* task_state_name(koji::TaskState s) {
    switch (s) {
        case koji::TaskState::free:
            return "free";
        case koji::TaskState::open:
            return "open";
        case koji::TaskState::closed:
            return "closed";
        case koji::TaskState::canceled:
            return "canceled";
        case koji::TaskState::assigned:
            return "assigned";
        case koji::TaskState::failed:
            return "failed";
    }
    return "unknown";
}

Json origin_json(const Origin& o) {
    if (!o.update.empty()) {
        return Json{{"update", o.update}};
    }
    return Json{{"tag", o.tag}, {"event", o.event ? Json(*o.event) : Json(nullptr)}};
}

// Whether the index of `images` goes out as the stable release's or rawhide's too.
std::vector<std::string> release_tags(int release, const Releases& releases) {
    std::vector<std::string> tags{std::to_string(release)};
    if (releases.stable && *releases.stable == release) {
        tags.emplace_back("latest");
    }
    if (releases.rawhide && *releases.rawhide == release) {
        tags.emplace_back("rawhide");
    }
    return tags;
}

bool is_oci(const koji::Archive& a) {
    return a.filename.ends_with(".oci.tar.xz") || a.filename.ends_with(".oci.tar");
}

// The archive's source for the registry client, as a file named by its (checked) arch.
std::string local_source(const std::string& dir, const koji::Archive& a) {
    std::string suffix = a.filename.ends_with(".xz") ? ".tar.xz" : a.filename.ends_with(".gz") ? ".tar.gz" : ".tar";
    return fmt::format("{}{}/{}{}", is_oci(a) ? "oci-archive:" : "docker-archive:", dir, a.arch, suffix);
}

// Arches name files and tags: Koji's answer must hold plain names.
void check_arch(const koji::Build& build, const koji::Archive& a) {
    bool ok = !a.arch.empty() && a.arch.size() <= 32 &&
              a.arch.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!ok) {
        throw RemoteError("koji", fmt::format("{}: archive {} has a malformed arch", build.nvr, a.filename));
    }
}

}  // namespace

std::string archive_url(const std::string& topurl, const koji::Build& build, const koji::Archive& archive) {
    return fmt::format("{}/packages/{}/{}/{}/images/{}", topurl, build.name, build.version, build.release,
                       archive.filename);
}

CheckReport run_check(const Ports& ports, const Job& job) {
    CheckReport r{job.image.name, resolve(ports, job), {}, {}};
    auto build = find_image(*ports.images, r.target.candidate_tag, job.image.package);
    if (!build) {
        throw Error(fmt::format("no completed build of {} in {}", job.image.package, r.target.candidate_tag));
    }
    r.build = std::move(*build);
    r.verdict = decide(r.build.sources, candidates(*ports.images, *ports.updates, r.build, r.target.updates_tag,
                                                   r.target.bodhi_release));
    return r;
}

RebuildReport run_rebuild(const Ports& ports, const Job& job) {
    RebuildReport r;
    r.check = run_check(ports, job);
    r.state_file = state_path(job.settings.state_dir, job.image.name, job.release, "rebuild");
    const std::string& hash = r.check.verdict.input_hash;
    std::vector<PlannedStep> plan;
    plan.push_back({"kiwiBuild", [&](StepContext& ctx) {
                        if (!r.check.verdict.changed) {
                            ctx.already(fmt::format("the latest build {} already has input hash {}",
                                                    r.check.build.build.nvr, hash));
                            return;
                        }
                        auto last = read_rebuild_state(r.state_file);
                        if (last && last->input_hash == hash) {
                            auto task = ports.images->task(last->task_id);
                            if (!task || !task->finished() || task->state == koji::TaskState::closed) {
                                ctx.already(fmt::format("task {} ({}) already has input hash {}", last->task_id,
                                                        task ? task_state_name(task->state) : "unknown", hash));
                                return;
                            }
                        }
                        koji::KiwiBuild b{expand(job.image.target, job.release),
                                          job.image.arches,
                                          job.image.description_url,
                                          job.image.description_path,
                                          job.image.optional_arches,
                                          job.image.profile,
                                          false,
                                          {}};
                        if (b.target.empty() || b.description_url.empty() || b.description_path.empty()) {
                            throw ConfigError(fmt::format(
                                "image.images.{}: target, description_url and description_path are needed to build",
                                job.image.name));
                        }
                        if (ctx.dry_run()) {
                            ctx.changed(fmt::format("would submit {} for {} ({})", job.image.package, b.target,
                                                    fmt::join(b.arches, ", ")));
                            return;
                        }
                        r.task_id = ports.images->submit(b);
                        r.submitted = true;
                        ctx.changed(fmt::format("task {}", r.task_id));
                    }});
    plan.push_back({"state", [&](StepContext& ctx) {
                        if (!r.submitted) {
                            ctx.skipped("nothing submitted");
                            return;
                        }
                        write_state(r.state_file, to_json(RebuildState{r.task_id, hash, now(ports)}));
                        ctx.changed(r.state_file);
                    }});
    run_steps(plan, job.dry_run, r);
    return r;
}

ReleaseReport run_release(const Ports& ports, PublishPort& publish, const Job& job, const std::string& scratch_dir) {
    ReleaseReport r;
    r.image = job.image.name;
    Releases releases = current_releases(*ports.updates, job.settings);
    r.target = target(job.settings, job.release, releases);
    r.state_file = state_path(job.settings.state_dir, job.image.name, job.release, "release");
    auto last = read_release_state(r.state_file);
    r.last_released = last ? last->nvr : std::string();
    auto build = latest_image(*ports.images, r.target.candidate_tag, job.image.package);
    if (!build) {
        return r;
    }
    r.build_nvr = build->nvr;
    if (last && last->build_id == build->id) {
        return r;
    }
    r.due = true;
    r.tags = release_tags(job.release, releases);
    const auto& registries = job.settings.registry.registries;
    if (registries.empty()) {
        throw ConfigError("image.registries: no registry to push to");
    }
    std::string topurl = ports.images->topurl();
    if (topurl.empty()) {
        throw ConfigError("koji.topurl: not set; image archives are downloaded from it");
    }
    std::vector<koji::Archive> archives;
    for (auto& a : ports.images->image_archives(build->id)) {
        if (!a.arch.empty() && a.arch != "noarch") {
            check_arch(*build, a);
            archives.push_back(std::move(a));
        }
    }
    if (archives.empty()) {
        throw RemoteError("koji", fmt::format("{}: no image archives", build->nvr));
    }
    auto arch_ref = [&](const std::string& registry, const std::string& arch) {
        return fmt::format("{}/{}:{}-{}", registry, job.image.repository, job.release, arch);
    };
    std::vector<PlannedStep> plan;
    for (const auto& a : archives) {
        plan.push_back({a.arch, [&, a](StepContext& ctx) {
                            std::string url = archive_url(topurl, *build, a);
                            if (ctx.dry_run()) {
                                ctx.changed(
                                    fmt::format("would push {} to {} registries", a.filename, registries.size()));
                                return;
                            }
                            std::string source = local_source(scratch_dir, a);
                            publish.download(url, source.substr(source.find(':') + 1));
                            for (const auto& registry : registries) {
                                publish.push_archive(source, arch_ref(registry, a.arch));
                            }
                            ctx.changed(fmt::format("{} pushed as :{}-{}", a.filename, job.release, a.arch));
                        }});
    }
    for (const auto& registry : registries) {
        plan.push_back({"index " + registry, [&, registry](StepContext& ctx) {
                            if (ctx.dry_run()) {
                                ctx.changed(fmt::format("would push :{}", fmt::join(r.tags, ", :")));
                                return;
                            }
                            std::vector<std::pair<std::string, std::string>> images;
                            for (const auto& a : archives) {
                                images.emplace_back(a.arch, arch_ref(registry, a.arch));
                            }
                            for (const auto& tag : r.tags) {
                                publish.push_index(fmt::format("{}/{}:{}", registry, job.image.repository, tag),
                                                   images);
                            }
                            ctx.changed(fmt::format(":{}", fmt::join(r.tags, ", :")));
                        }});
    }
    plan.push_back({"state", [&](StepContext& ctx) {
                        if (ctx.dry_run()) {
                            ctx.changed(fmt::format("would record {} as released", build->nvr));
                            return;
                        }
                        write_state(r.state_file, to_json(ReleaseState{build->id, build->nvr, now(ports)}));
                        ctx.changed(r.state_file);
                    }});
    run_steps(plan, job.dry_run, r);
    return r;
}

Json check_json(const CheckReport& r) {
    Json changes = Json::array();
    for (const auto& c : r.verdict.changes) {
        changes.push_back({{"package", c.package},
                           {"image", c.image_nvr},
                           {"newer", c.newer_nvr},
                           {"origin", origin_json(c.origin)}});
    }
    Json archives = Json::array();
    for (const auto& a : r.build.archives) {
        archives.push_back({{"arch", a.arch}, {"filename", a.filename}});
    }
    return Json{
        {"image", r.image},
        {"release", r.target.release},
        {"rawhide", r.target.rawhide},
        {"candidate_tag", r.target.candidate_tag},
        {"updates_tag", r.target.updates_tag},
        {"build", {{"nvr", r.build.build.nvr}, {"id", r.build.build.id}, {"completed", r.build.build.completion_time}}},
        {"archives", archives},
        {"packages", r.build.sources.size()},
        {"verdict", r.verdict.changed ? "changed" : "unchanged"},
        {"changes", changes},
        {"input_hash", r.verdict.input_hash}};
}

std::string check_text(const CheckReport& r) {
    std::string out = fmt::format("{} {}: {} ({}, {} packages, checked against {} and Bodhi {})\n", r.image,
                                  r.target.release, r.verdict.changed ? "changed" : "unchanged", r.build.build.nvr,
                                  r.build.sources.size(), r.target.updates_tag, r.target.bodhi_release);
    for (const auto& c : r.verdict.changes) {
        out += fmt::format("  {}: {} -> {} ({})\n", c.package, c.image_nvr, c.newer_nvr, c.origin.str());
    }
    out += fmt::format("input hash: {}\n", r.verdict.input_hash);
    return out;
}

Json rebuild_json(const RebuildReport& r) {
    Json j = check_json(r.check);
    j["submitted"] = r.submitted;
    j["task_id"] = r.submitted ? Json(r.task_id) : Json(nullptr);
    j["steps"] = steps_json(r.steps);
    j["state_file"] = r.state_file;
    return j;
}

std::string rebuild_text(const RebuildReport& r) {
    std::string out = check_text(r.check);
    return out + steps_text(r.steps);
}

Json release_json(const ReleaseReport& r) {
    return Json{{"image", r.image},
                {"release", r.target.release},
                {"build", r.build_nvr.empty() ? Json(nullptr) : Json(r.build_nvr)},
                {"last_released", r.last_released.empty() ? Json(nullptr) : Json(r.last_released)},
                {"due", r.due},
                {"tags", r.tags},
                {"steps", steps_json(r.steps)},
                {"state_file", r.state_file}};
}

std::string release_text(const ReleaseReport& r) {
    if (r.build_nvr.empty()) {
        return fmt::format("{} {}: no completed image build in {}; nothing to release\n", r.image, r.target.release,
                           r.target.candidate_tag);
    }
    if (!r.due) {
        return fmt::format("{} {}: nothing built since {} was released; nothing to do\n", r.image, r.target.release,
                           r.last_released);
    }
    std::string out =
        fmt::format("{} {}: releasing {} as :{}\n", r.image, r.target.release, r.build_nvr, fmt::join(r.tags, ", :"));
    return out + steps_text(r.steps);
}

}  // namespace flr::releng::image
