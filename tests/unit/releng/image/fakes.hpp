// In-memory Koji, Bodhi and registries for the image workflow's unit tests.
#pragma once

#include "releng/ports.hpp"
#include "releng/ports/publish.hpp"

#include <flr/error.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace flr::test {

using namespace flr::releng;

inline koji::Build kbuild(std::int64_t id, const std::string& name, const std::string& version,
                          const std::string& release, std::optional<std::int64_t> epoch = std::nullopt) {
    koji::Build b;
    b.id = id;
    b.name = name;
    b.version = version;
    b.release = release;
    b.epoch = epoch;
    b.nvr = name + "-" + version + "-" + release;
    b.completion_time = "2024-03-01 10:00:00+00:00";
    return b;
}

class FakeImages : public ImagesPort {
public:
    std::map<std::string, std::vector<koji::Build>> tagged;  // tag -> builds (later ones are newer)
    std::map<std::int64_t, koji::Build> builds_by_id;
    std::map<std::int64_t, std::vector<koji::Archive>> archives;
    std::map<std::int64_t, std::vector<koji::Rpm>> rpms;  // archive id -> RPMs
    std::map<std::int64_t, koji::Task> tasks;
    std::vector<koji::KiwiBuild> submitted;
    std::vector<std::string> calls;
    std::int64_t next_task = 900;

    // An image build with one archive per arch, each holding RPMs of `sources` builds.
    void image(const std::string& tag, const koji::Build& b,
               const std::map<std::string, std::vector<koji::Build>>& per_arch) {
        tagged[tag].push_back(b);
        builds_by_id[b.id] = b;
        std::int64_t archive_id = b.id * 10;
        for (const auto& [arch, sources] : per_arch) {
            archives[b.id].push_back({archive_id, b.id,
                                      b.name + "." + arch + "-" + b.version + "-" + b.release + ".oci.tar.xz", "tar",
                                      arch, 100, ""});
            for (const auto& s : sources) {
                builds_by_id[s.id] = s;
                rpms[archive_id].push_back({s.id * 100, s.id, s.name, s.version, s.release, s.epoch, arch, s.nvr});
                rpms[archive_id].push_back(
                    {s.id * 100 + 1, s.id, s.name + "-libs", s.version, s.release, s.epoch, arch, s.nvr});
            }
            ++archive_id;
        }
    }
    void tag(const std::string& tag, koji::Build b, std::int64_t event) {
        b.tag_name = tag;
        b.tag_event = event;
        builds_by_id[b.id] = b;
        tagged[tag].push_back(b);
    }
    void untag(const std::string& tag, const std::string& nvr) {
        auto& v = tagged[tag];
        std::erase_if(v, [&](const koji::Build& b) { return b.nvr == nvr; });
    }

    std::optional<koji::Build> latest_build(const std::string& tag, const std::string& package) override {
        calls.push_back("latest " + tag + " " + package);
        const auto& v = tagged[tag];
        for (auto it = v.rbegin(); it != v.rend(); ++it) {
            if (it->name == package) {
                return *it;
            }
        }
        return std::nullopt;
    }
    std::vector<koji::Archive> image_archives(std::int64_t build_id) override { return archives[build_id]; }
    std::vector<std::vector<koji::Rpm>> archive_rpms(const std::vector<std::int64_t>& ids) override {
        calls.push_back("archive_rpms " + std::to_string(ids.size()));
        std::vector<std::vector<koji::Rpm>> out;
        for (auto id : ids) {
            out.push_back(rpms[id]);
        }
        return out;
    }
    std::vector<std::optional<koji::Build>> builds(const std::vector<std::int64_t>& ids) override {
        calls.push_back("builds " + std::to_string(ids.size()));
        std::vector<std::optional<koji::Build>> out;
        for (auto id : ids) {
            auto it = builds_by_id.find(id);
            out.push_back(it == builds_by_id.end() ? std::nullopt : std::optional<koji::Build>(it->second));
        }
        return out;
    }
    std::vector<std::vector<koji::Build>> latest_builds(const std::string& tag,
                                                        const std::vector<std::string>& packages) override {
        calls.push_back("latest_many " + tag + " " + std::to_string(packages.size()));
        std::vector<std::vector<koji::Build>> out;
        for (const auto& p : packages) {
            auto b = latest_build_quiet(tag, p);
            out.push_back(b ? std::vector<koji::Build>{*b} : std::vector<koji::Build>{});
        }
        return out;
    }
    std::optional<koji::Task> task(std::int64_t id) override {
        auto it = tasks.find(id);
        return it == tasks.end() ? std::nullopt : std::optional<koji::Task>(it->second);
    }
    std::int64_t submit(const koji::KiwiBuild& build) override {
        submitted.push_back(build);
        std::int64_t id = next_task++;
        tasks[id] = koji::Task{id, "kiwiBuild", koji::TaskState::open};
        return id;
    }
    std::string topurl() override { return "https://kojipkgs.example.org"; }

private:
    std::optional<koji::Build> latest_build_quiet(const std::string& tag, const std::string& package) {
        const auto& v = tagged[tag];
        for (auto it = v.rbegin(); it != v.rend(); ++it) {
            if (it->name == package) {
                return *it;
            }
        }
        return std::nullopt;
    }
};

class FakeBodhi : public UpdatesPort {
public:
    std::vector<bodhi::Update> updates;
    std::vector<bodhi::Release> known = {{"F40", "40", "f40", "current", "FEDORA"},
                                         {"F41", "41", "f41", "current", "FEDORA"},
                                         {"F41C", "41", "f41", "current", "FEDORA-CONTAINER"},
                                         {"F42", "42", "rawhide", "pending", "FEDORA"},
                                         {"EPEL-9", "9", "epel9", "current", "FEDORA-EPEL"}};
    std::vector<std::string> asked;

    std::vector<bodhi::Update> stable_since(const std::string& release, const std::string& since) override {
        asked.push_back(release + " " + since);
        std::vector<bodhi::Update> out;
        for (const auto& u : updates) {
            if (u.release == release && u.date_pushed.substr(0, 10) + "T" + u.date_pushed.substr(11) >= since) {
                out.push_back(u);
            }
        }
        return out;
    }
    std::vector<bodhi::Release> releases() override { return known; }
};

// Records pushes per reference; fails the push of one reference as often as asked.
class FakePublisher : public PublishPort {
public:
    std::vector<std::string> log;
    std::map<std::string, std::string> registry;  // reference -> what it holds
    std::string fail_on;                          // a reference whose push fails
    int failures = 0;

    void download(const std::string& url, const std::string& path) override {
        log.push_back("get " + url + " " + path);
    }
    void push_archive(const std::string& path, const std::string& reference) override {
        fail(reference);
        log.push_back("push " + reference);
        registry[reference] = path;
    }
    void push_index(const std::string& reference,
                    const std::vector<std::pair<std::string, std::string>>& images) override {
        fail(reference);
        std::string what;
        for (const auto& [arch, ref] : images) {
            what += arch + "=" + ref + " ";
        }
        log.push_back("index " + reference);
        registry[reference] = what;
    }

private:
    void fail(const std::string& reference) {
        if (reference == fail_on && failures > 0) {
            --failures;
            throw RemoteError("registry", "push to " + reference + " failed");
        }
    }
};

}  // namespace flr::test
