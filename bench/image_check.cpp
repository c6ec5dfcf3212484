// flr-image-changed's own time on a large image, Koji's time excluded:
//
//   cmake --build build --target image-bench && build/bench/image-bench [--rounds N]
//
// Generated data: an image of 10,000 RPMs (4 arches x 2,500 RPMs from 2,000 source builds),
// checked against 100,000 tagged builds of which 2,000 are newer builds of the image's
// packages (some newer, some older by rpm's rules: tilde pre-releases, epochs, carets),
// and 500 Bodhi stable updates. The Koji answers are pre-encoded XML-RPC multicall
// answers, as the hub sends them; each round decodes them with flr's decoders, then runs
// the check (source builds, candidates, rpm comparison, input hash).
//
// Prints the median and the slowest round, in milliseconds, for each part and the whole,
// wall time and the thread's CPU time (which a loaded machine inflates less).
#include "core/xmlrpc.hpp"
#include "releng/image/check.hpp"
#include "services/koji_decode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace {

using namespace flr;
using namespace flr::releng;
using namespace flr::releng::image;
using xmlrpc::Array;
using xmlrpc::Struct;
using xmlrpc::Value;
using Steady = std::chrono::steady_clock;

constexpr int kArches = 4;
constexpr int kSources = 2000;
constexpr int kRpmsPerArch = 2500;
constexpr int kTagged = 100000;
constexpr int kUpdates = 500;

Value build_value(std::int64_t id, const std::string& name, const std::string& version, const std::string& release,
                  std::optional<std::int64_t> epoch, std::int64_t event) {
    return Struct{{"build_id", id},
                  {"id", id},
                  {"package_id", id + 7},
                  {"package_name", name},
                  {"name", name},
                  {"version", version},
                  {"release", release},
                  {"epoch", epoch ? Value(*epoch) : Value(xmlrpc::Nil{})},
                  {"nvr", name + "-" + version + "-" + release},
                  {"state", 1},
                  {"owner_name", "bodhi"},
                  {"creation_time", "2024-03-01 10:00:00+00:00"},
                  {"completion_time", "2024-03-01 10:00:00+00:00"},
                  {"task_id", id + 100000000},
                  {"tag_name", "f41-updates"},
                  {"create_event", event}};
}

std::string multicall_answer(const std::vector<Value>& answers) {
    Array parts;
    parts.reserve(answers.size());
    for (const auto& a : answers) {
        parts.emplace_back(Array(1, a));  // each multicall answer is a one-element array
    }
    return xmlrpc::encode_response(Value(std::move(parts)));
}

std::string pkg(int i) {
    return fmt::format("package-{:05}", i);
}

// The image's source build i, and the tagged build for it (newer or not by rpm's rules).
std::string image_version(int i) {
    return fmt::format("{}.{}.{}", 1 + i % 7, i % 13, i % 5);
}

struct Data {
    std::string archive_rpms;       // listRPMs(imageID=) x kArches, one multicall answer
    std::string builds;             // getBuild x kSources
    std::string latest;             // getLatestBuilds(package=) x kSources
    std::vector<Candidate> tagged;  // the rest of the tag (other packages)
    std::vector<bodhi::Update> updates;
};

Data generate() {
    Data d;
    std::vector<Value> rpm_lists;
    for (int a = 0; a < kArches; ++a) {
        Array rpms;
        for (int r = 0; r < kRpmsPerArch; ++r) {
            int s = (r * 4 / 5) % kSources;  // several RPMs per source build
            rpms.push_back(Struct{{"id", 1000000 + a * kRpmsPerArch + r},
                                  {"build_id", 10 + s},
                                  {"name", fmt::format("{}-sub{}", pkg(s), r % 3)},
                                  {"version", image_version(s)},
                                  {"release", "1.fc41"},
                                  {"epoch", Value(xmlrpc::Nil{})},
                                  {"arch", a == 0   ? "x86_64"
                                           : a == 1 ? "aarch64"
                                           : a == 2 ? "ppc64le"
                                                    : "s390x"},
                                  {"nvr", fmt::format("{}-sub{}-{}-1.fc41", pkg(s), r % 3, image_version(s))}});
        }
        rpm_lists.emplace_back(std::move(rpms));
    }
    d.archive_rpms = multicall_answer(rpm_lists);
    std::vector<Value> builds;
    std::vector<Value> latest;
    for (int s = 0; s < kSources; ++s) {
        builds.push_back(build_value(10 + s, pkg(s), image_version(s), "1.fc41", std::nullopt, 0));
        std::string v = image_version(s);
        std::optional<std::int64_t> epoch;
        switch (s % 5) {
            case 0:
                v += ".1";
                break;  // newer
            case 1:
                v += "~rc1";
                break;  // older by rpm's rules
            case 2:
                v += "^20240301git1";
                break;  // a caret snapshot: newer
            case 3:
                epoch = 1;
                v = "0.1";
                break;  // an epoch bump: newer
            default:
                break;  // the same
        }
        latest.push_back(Array{build_value(500000 + s, pkg(s), v, "1.fc41", epoch, 900000 + s)});
    }
    d.builds = multicall_answer(builds);
    d.latest = multicall_answer(latest);
    for (int t = kSources; t < kTagged; ++t) {
        d.tagged.push_back({pkg(t), Evr{std::nullopt, "1.0", "1.fc41"}, pkg(t) + "-1.0-1.fc41", Origin{"f41", 1, {}}});
    }
    for (int u = 0; u < kUpdates; ++u) {
        bodhi::Update up;
        up.alias = fmt::format("FEDORA-2024-{:010}", u);
        int s = (u * 37) % kSources;
        up.builds.push_back({fmt::format("{}-{}.9-1.fc41", pkg(s), image_version(s)), "rpm", 0});
        d.updates.push_back(std::move(up));
    }
    return d;
}

template <class F>
auto answers(const std::string& xml, F f) {
    auto v = std::get<Value>(xmlrpc::decode_response(xml));
    std::vector<decltype(f(Value{}))> out;
    for (auto& part : xmlrpc::split_multicall(v)) {
        out.push_back(f(std::get<Value>(part)));
    }
    return out;
}

// The ImagesPort of one round: Koji's answers decoded from the wire format.
class WireKoji : public ImagesPort {
public:
    explicit WireKoji(const Data& d) : d_(d) {}
    std::optional<koji::Build> latest_build(const std::string&, const std::string&) override {
        koji::Build b;
        b.id = 1;
        b.nvr = "Fedora-Container-Base-Generic-41-1";
        b.completion_time = "2024-03-01 10:00:00+00:00";
        return b;
    }
    std::vector<koji::Archive> image_archives(std::int64_t) override {
        std::vector<koji::Archive> out;
        for (const char* arch : {"x86_64", "aarch64", "ppc64le", "s390x"}) {
            out.push_back({static_cast<std::int64_t>(out.size()) + 2, 1, "image.oci.tar.xz", "tar", arch, 0, ""});
        }
        return out;
    }
    std::vector<std::vector<koji::Rpm>> archive_rpms(const std::vector<std::int64_t>&) override {
        return answers(d_.archive_rpms, [](const Value& v) { return koji::list_from(v, koji::rpm_from); });
    }
    std::vector<std::optional<koji::Build>> builds(const std::vector<std::int64_t>&) override {
        return answers(d_.builds, [](const Value& v) { return std::optional<koji::Build>(koji::build_from(v)); });
    }
    std::vector<std::vector<koji::Build>> latest_builds(const std::string&, const std::vector<std::string>&) override {
        return answers(d_.latest, [](const Value& v) { return koji::list_from(v, koji::build_from); });
    }
    std::optional<koji::Task> task(std::int64_t) override { return {}; }
    std::int64_t submit(const koji::KiwiBuild&) override { return 0; }
    std::string topurl() override { return {}; }

private:
    const Data& d_;
};

class ListBodhi : public UpdatesPort {
public:
    explicit ListBodhi(const Data& d) : d_(d) {}
    std::vector<bodhi::Update> stable_since(const std::string&, const std::string&) override { return d_.updates; }
    std::vector<bodhi::Release> releases() override { return {}; }

private:
    const Data& d_;
};

double ms(Steady::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// This thread's CPU time in milliseconds: flr's own work, whatever else the machine runs.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 20;
    if (argc == 3 && std::strcmp(argv[1], "--rounds") == 0) {
        rounds = std::max(1, std::atoi(argv[2]));
    }
    Data data = generate();
    fmt::print("data: {} RPMs from {} source builds, {} tagged builds, {} Bodhi updates; answers {:.1f} MB of XML\n",
               kArches * kRpmsPerArch, kSources, kTagged, kUpdates,
               static_cast<double>(data.archive_rpms.size() + data.builds.size() + data.latest.size()) / 1e6);
    std::map<std::string, std::vector<double>> times;
    std::string hash;
    std::size_t changes = 0;
    // The tagged builds decide() looks through: the 2,000 latest builds of the image's
    // packages and the Bodhi builds (as candidates() returns them) among 98,000 others,
    // made once so that no round times a copy of them.
    std::vector<Candidate> tagged;
    {
        WireKoji koji(data);
        ListBodhi bodhi(data);
        tagged = candidates(koji, bodhi, *find_image(koji, "f41-updates-candidate", "image"), "f41-updates", "F41");
        tagged.insert(tagged.end(), data.tagged.begin(), data.tagged.end());
    }
    for (int r = 0; r < rounds; ++r) {
        WireKoji koji(data);
        ListBodhi bodhi(data);
        double c0 = cpu_ms();
        auto t0 = Steady::now();
        auto image = find_image(koji, "f41-updates-candidate", "image");
        auto t1 = Steady::now();
        auto cands = candidates(koji, bodhi, *image, "f41-updates", "F41");
        auto t2 = Steady::now();
        auto verdict = decide(image->sources, tagged);
        auto t3 = Steady::now();
        times["5 total, CPU time of the thread"].push_back(cpu_ms() - c0);
        times["1 find_image: decode 10,000 RPMs and 2,000 builds"].push_back(ms(t1 - t0));
        times["2 candidates: decode 2,000 latest builds, Bodhi"].push_back(ms(t2 - t1));
        times["3 decide: 100,000 tagged builds, rpmverCmp, hash"].push_back(ms(t3 - t2));
        times["4 total, wall"].push_back(ms(t3 - t0));
        hash = verdict.input_hash;
        changes = verdict.changes.size() + (cands.empty() ? 1 : 0);
    }
    fmt::print("verdict: {} changed packages, input hash {}\n", changes, hash);
    fmt::print("{} rounds, milliseconds (median / slowest):\n", rounds);
    for (auto& [what, v] : times) {
        std::sort(v.begin(), v.end());
        fmt::print("  {:<55} {:7.2f} / {:7.2f}\n", what, v[v.size() / 2], v.back());
    }
    return 0;
}
