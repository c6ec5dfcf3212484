// flr-image-changed's own time on a large image, Koji's time excluded:
//
//   cmake --build build --target image-bench && build/bench/image-bench [--rounds N] [--value-tree]
//
// Generated data: an image of 10,000 RPMs (4 arches x 2,500 RPMs from 2,000 source builds),
// checked against 100,000 tagged builds of which 2,000 are newer builds of the image's
// packages (some newer, some older by rpm's rules: tilde pre-releases, epochs, carets),
// and 500 Bodhi stable updates. Koji's answers are the bytes the hub sends: XML-RPC
// multicall answers as Python's xmlrpc marshaller writes them, with the fields Koji's
// listRPMs, getBuild and getLatestBuilds return, in the client's rounds of 1,000 calls;
// Bodhi's are JSON pages of 100 updates. Each round decodes them with the client's own
// decoders (koji::*_in_place, as koji::Client's multicalls do; Bodhi's page decoder), then
// runs the check (source builds, candidates, rpm comparison, input hash).
//
// Prints the median and the slowest round, in milliseconds, for each part and the whole,
// wall time and the process's CPU time (which a loaded machine inflates less), the page
// faults, and the first round on its own: a run of flr-image-changed is a fresh process,
// whose memory is all new, as in the first round.
#include "core/xmlrpc.hpp"
#include "releng/image/check.hpp"
#include "services/bodhi_decode.hpp"
#include "services/koji_decode.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace {

using namespace flr;
using namespace flr::releng;
using namespace flr::releng::image;
using Steady = std::chrono::steady_clock;

constexpr int kArches = 4;
constexpr int kSources = 2000;
constexpr int kRpmsPerArch = 2500;
constexpr int kTagged = 100000;
constexpr int kUpdates = 500;
constexpr int kBatch = 1000;  // koji::Client's calls per multicall
constexpr int kUpdatesPerPage = 100;

// XML-RPC as the hub writes it (Python's xmlrpc.client.Marshaller with Koji's i8 and nil):
// a newline after each member, name and scalar, none after <nil/>.
struct Py {
    std::string out;
    void nil() { out += "<value><nil/></value>"; }
    void boolean(bool b) {
        out += b ? "<value><boolean>1</boolean></value>\n" : "<value><boolean>0</boolean></value>\n";
    }
    void integer(std::int64_t i) {
        const char* t = i > INT32_MAX || i < INT32_MIN ? "i8" : "int";
        out += fmt::format("<value><{}>{}</{}></value>\n", t, i, t);
    }
    void opt(std::optional<std::int64_t> i) { i ? integer(*i) : nil(); }
    void real(double d) { out += fmt::format("<value><double>{:.1f}</double></value>\n", d); }
    void string(std::string_view s) { out += fmt::format("<value><string>{}</string></value>\n", s); }
    void open_struct() { out += "<value><struct>\n"; }
    void close_struct() { out += "</struct></value>\n"; }
    void open_array() { out += "<value><array><data>\n"; }
    void close_array() { out += "</data></array></value>\n"; }
    // A member: its name, then the value `f` writes.
    template <class F>
    void member(const char* name, F f) {
        out += fmt::format("<member>\n<name>{}</name>\n", name);
        f();
        out += "</member>\n";
    }
    void begin_response() { out += "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"; }
    void end_response() { out += "</param>\n</params>\n</methodResponse>\n"; }
};

struct Nvr {
    std::int64_t id;
    std::string name;
    std::string version;
    std::string release;
    std::optional<std::int64_t> epoch;
    std::int64_t event;
};

// getBuild's fields (kojihub get_build), in its order.
void get_build(Py& p, const Nvr& b) {
    std::string nvr = b.name + "-" + b.version + "-" + b.release;
    p.open_struct();
    p.member("build_id", [&] { p.integer(b.id); });
    p.member("id", [&] { p.integer(b.id); });
    p.member("package_id", [&] { p.integer(b.id + 7); });
    p.member("package_name", [&] { p.string(b.name); });
    p.member("name", [&] { p.string(b.name); });
    p.member("version", [&] { p.string(b.version); });
    p.member("release", [&] { p.string(b.release); });
    p.member("epoch", [&] { p.opt(b.epoch); });
    p.member("nvr", [&] { p.string(nvr); });
    p.member("state", [&] { p.integer(1); });
    p.member("draft", [&] { p.boolean(false); });
    p.member("task_id", [&] { p.integer(b.id + 100000000); });
    p.member("owner_id", [&] { p.integer(4641); });
    p.member("owner_name", [&] { p.string("bodhi"); });
    p.member("volume_id", [&] { p.integer(0); });
    p.member("volume_name", [&] { p.string("DEFAULT"); });
    p.member("creation_event_id", [&] { p.integer(109000000 + b.id); });
    p.member("creation_time", [&] { p.string("2024-03-01 10:00:00.000000+00:00"); });
    p.member("creation_ts", [&] { p.real(1709287200.0); });
    p.member("start_time", [&] { p.string("2024-03-01 09:50:00+00:00"); });
    p.member("start_ts", [&] { p.real(1709286600.0); });
    p.member("completion_time", [&] { p.string("2024-03-01 10:00:00+00:00"); });
    p.member("completion_ts", [&] { p.real(1709287200.0); });
    p.member("promotion_time", [&] { p.nil(); });
    p.member("promotion_ts", [&] { p.nil(); });
    p.member("promoter_id", [&] { p.nil(); });
    p.member("promoter_name", [&] { p.nil(); });
    p.member("cg_id", [&] { p.nil(); });
    std::string source = fmt::format("git+https://src.fedoraproject.org/rpms/{}.git#{:040x}", b.name, b.id);
    p.member("source", [&] { p.string(source); });
    p.member("extra", [&] {
        p.open_struct();
        p.member("source", [&] {
            p.open_struct();
            p.member("original_url", [&] { p.string(source); });
            p.close_struct();
        });
        p.close_struct();
    });
    p.close_struct();
}

// getLatestBuilds' fields (kojihub readTaggedBuilds), in its order.
void tagged_build(Py& p, const Nvr& b) {
    p.open_struct();
    p.member("tag_id", [&] { p.integer(60000); });
    p.member("tag_name", [&] { p.string("f41-updates"); });
    p.member("id", [&] { p.integer(b.id); });
    p.member("build_id", [&] { p.integer(b.id); });
    p.member("version", [&] { p.string(b.version); });
    p.member("release", [&] { p.string(b.release); });
    p.member("epoch", [&] { p.opt(b.epoch); });
    p.member("state", [&] { p.integer(1); });
    p.member("completion_time", [&] { p.string("2024-03-02 10:00:00+00:00"); });
    p.member("promotion_time", [&] { p.nil(); });
    p.member("start_time", [&] { p.string("2024-03-02 09:50:00+00:00"); });
    p.member("task_id", [&] { p.integer(b.id + 100000000); });
    p.member("draft", [&] { p.boolean(false); });
    p.member("owner_id", [&] { p.integer(4641); });
    p.member("owner_name", [&] { p.string("bodhi"); });
    p.member("creation_event_id", [&] { p.integer(b.event - 10); });
    p.member("creation_time", [&] { p.string("2024-03-02 10:00:00.000000+00:00"); });
    p.member("volume_id", [&] { p.integer(0); });
    p.member("volume_name", [&] { p.string("DEFAULT"); });
    p.member("package_id", [&] { p.integer(b.id + 7); });
    p.member("package_name", [&] { p.string(b.name); });
    p.member("name", [&] { p.string(b.name); });
    p.member("nvr", [&] { p.string(b.name + "-" + b.version + "-" + b.release); });
    p.member("create_event", [&] { p.integer(b.event); });
    p.close_struct();
}

// listRPMs' fields (kojihub list_rpms), in its order.
void rpm(Py& p, std::int64_t id, const Nvr& b, const std::string& name, const char* arch) {
    p.open_struct();
    p.member("id", [&] { p.integer(id); });
    p.member("name", [&] { p.string(name); });
    p.member("version", [&] { p.string(b.version); });
    p.member("release", [&] { p.string(b.release); });
    p.member("nvr", [&] { p.string(name + "-" + b.version + "-" + b.release); });
    p.member("arch", [&] { p.string(arch); });
    p.member("epoch", [&] { p.opt(b.epoch); });
    p.member("draft", [&] { p.boolean(false); });
    p.member("payloadhash", [&] { p.string(fmt::format("{:032x}", id * 2654435761U)); });
    p.member("size", [&] { p.integer(1900000 + id % 1000); });
    p.member("buildtime", [&] { p.integer(1709287000); });
    p.member("build_id", [&] { p.integer(b.id); });
    p.member("buildroot_id", [&] { p.integer(50000000 + b.id); });
    p.member("external_repo_id", [&] { p.integer(0); });
    p.member("external_repo_name", [&] { p.string("INTERNAL"); });
    p.member("metadata_only", [&] { p.boolean(false); });
    p.member("extra", [&] { p.nil(); });
    p.close_struct();
}

// A multicall answer: [answer] per call, `f(p, i)` writing answer i.
template <class F>
std::string multicall_answer(int from, int to, F f) {
    Py p;
    p.begin_response();
    p.open_array();
    for (int i = from; i < to; ++i) {
        p.open_array();
        f(p, i);
        p.close_array();
    }
    p.close_array();
    p.end_response();
    return std::move(p.out);
}

std::string pkg(int i) {
    return fmt::format("package-{:05}", i);
}

// The image's source build i, and the tagged build for it (newer or not by rpm's rules).
std::string image_version(int i) {
    return fmt::format("{}.{}.{}", 1 + i % 7, i % 13, i % 5);
}

struct Data {
    std::string archive_rpms;               // listRPMs(imageID=) x kArches, one multicall
    std::vector<std::string> builds;        // getBuild x kSources, in rounds of kBatch
    std::vector<std::string> latest;        // getLatestBuilds(package=) x kSources, in rounds
    std::vector<std::string> update_pages;  // Bodhi's /updates/ pages
    std::vector<Candidate> tagged;          // the rest of the tag (other packages)
    std::size_t bytes() const {
        std::size_t n = archive_rpms.size();
        for (const auto* v : {&builds, &latest, &update_pages}) {
            for (const auto& s : *v) {
                n += s.size();
            }
        }
        return n;
    }
};

Nvr image_build(int s) {
    return {10 + s, pkg(s), image_version(s), "1.fc41", std::nullopt, 0};
}

Nvr latest_build(int s) {
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
    return {500000 + s, pkg(s), v, "1.fc41", epoch, 900000 + s};
}

Data generate() {
    Data d;
    static constexpr const char* arches[] = {"x86_64", "aarch64", "ppc64le", "s390x"};
    d.archive_rpms = multicall_answer(0, kArches, [](Py& p, int a) {
        p.open_array();
        for (int r = 0; r < kRpmsPerArch; ++r) {
            int s = (r * 4 / 5) % kSources;  // several RPMs per source build
            rpm(p, 1000000 + a * kRpmsPerArch + r, image_build(s), fmt::format("{}-sub{}", pkg(s), r % 3), arches[a]);
        }
        p.close_array();
    });
    for (int start = 0; start < kSources; start += kBatch) {
        int end = std::min(kSources, start + kBatch);
        d.builds.push_back(multicall_answer(start, end, [](Py& p, int s) { get_build(p, image_build(s)); }));
        d.latest.push_back(multicall_answer(start, end, [](Py& p, int s) {
            p.open_array();
            tagged_build(p, latest_build(s));
            p.close_array();
        }));
    }
    for (int t = kSources; t < kTagged; ++t) {
        d.tagged.push_back({pkg(t), Evr{std::nullopt, "1.0", "1.fc41"}, pkg(t) + "-1.0-1.fc41", Origin{"f41", 1, {}}});
    }
    int pages = (kUpdates + kUpdatesPerPage - 1) / kUpdatesPerPage;
    for (int page = 1; page <= pages; ++page) {
        nlohmann::json updates = nlohmann::json::array();
        for (int u = (page - 1) * kUpdatesPerPage; u < std::min(kUpdates, page * kUpdatesPerPage); ++u) {
            int s = (u * 37) % kSources;
            updates.push_back({{"alias", fmt::format("FEDORA-2024-{:010}", u)},
                               {"status", "stable"},
                               {"release", {{"name", "F41"}}},
                               {"date_pushed", "2024-03-05 12:00:00"},
                               {"date_stable", "2024-03-05 12:00:00"},
                               {"builds",
                                {{{"nvr", fmt::format("{}-{}.9-1.fc41", pkg(s), image_version(s))},
                                  {"type", "rpm"},
                                  {"epoch", 0}}}}});
        }
        d.update_pages.push_back(nlohmann::json{
            {"updates", updates},
            {"page", page},
            {"pages", pages},
            {"rows_per_page", kUpdatesPerPage},
            {"total", kUpdates}}.dump());
    }
    return d;
}

// --value-tree: each answer through the generic Value tree instead (the client's path
// for an answer it does not read in place, and before it read any), for comparison.
bool value_tree = false;

// The client's reading of each multicall answer: parsed in its own buffer, then read in
// place; the benchmark stops if a reader declines, since the client would then decode the
// answer through Value.
template <class R, class F>
std::vector<R> read(std::vector<std::string>& answers,
                    std::optional<std::vector<R>> (*in_place)(const xmlrpc::Response&), F decode) {
    std::vector<R> out;
    for (auto& xml : answers) {
        if (value_tree) {
            auto answer = std::get<xmlrpc::Value>(xmlrpc::decode_response(xml));
            for (auto& part : xmlrpc::split_multicall(answer)) {
                out.push_back(decode(std::get<xmlrpc::Value>(part)));
            }
            continue;
        }
        auto part = in_place(xmlrpc::Response(std::move(xml)));
        if (!part) {
            fmt::print(stderr, "image-bench: an answer was not read in place\n");
            std::exit(1);
        }
        std::move(part->begin(), part->end(), std::back_inserter(out));
    }
    return out;
}

// The ImagesPort of one round: Koji's answers decoded from the wire format. It holds its
// own copy of the answers, made before the clock starts, as the HTTP client hands over
// each body it received.
class WireKoji : public ImagesPort {
public:
    explicit WireKoji(const Data& d) : rpms_{d.archive_rpms}, builds_(d.builds), latest_(d.latest) {}
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
        return read(rpms_, koji::rpm_lists_in_place,
                    [](const xmlrpc::Value& v) { return koji::list_from(v, koji::rpm_from); });
    }
    std::vector<std::optional<koji::Build>> builds(const std::vector<std::int64_t>&) override {
        return read(builds_, koji::builds_in_place, [](const xmlrpc::Value& v) {
            return v.is_nil() ? std::nullopt : std::optional<koji::Build>(koji::build_from(v));
        });
    }
    std::vector<std::vector<koji::Build>> latest_builds(const std::string&, const std::vector<std::string>&) override {
        return read(latest_, koji::build_lists_in_place,
                    [](const xmlrpc::Value& v) { return koji::list_from(v, koji::build_from); });
    }
    std::optional<koji::Task> task(std::int64_t) override { return {}; }
    std::int64_t submit(const koji::KiwiBuild&) override { return 0; }
    std::string topurl() override { return {}; }

private:
    std::vector<std::string> rpms_;
    std::vector<std::string> builds_;
    std::vector<std::string> latest_;
};

// Bodhi's pages decoded as bodhi::Client does (nlohmann::json, then the page decoder).
class WireBodhi : public UpdatesPort {
public:
    explicit WireBodhi(const Data& d) : d_(d) {}
    std::vector<bodhi::Update> stable_since(const std::string&, const std::string&) override {
        std::vector<bodhi::Update> out;
        for (const auto& page : d_.update_pages) {
            auto decoded = bodhi::update_page_from_json(nlohmann::json::parse(page));
            std::move(decoded.updates.begin(), decoded.updates.end(), std::back_inserter(out));
        }
        return out;
    }
    std::vector<bodhi::Release> releases() override { return {}; }

private:
    const Data& d_;
};

double ms(Steady::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// The page faults the process has taken: the first round touches fresh memory, as every run
// of flr-image-changed does; later rounds reuse what the rounds before them freed.
long page_faults() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt + ru.ru_majflt;
}

// The process's CPU time in milliseconds: flr's own work, whatever else the machine runs.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// What this machine charges for fresh memory, to read the first round by: the CPU time of
// writing 8 MB (2,048 pages) the first time and the second.
std::pair<double, double> fresh_memory_cost() {
    constexpr std::size_t size = 8U << 20U;
    auto write = [](char* p, char c) {
        std::memset(p, c, size);
        asm volatile("" : : "r"(p) : "memory");  // the writes happen, and are not merged
    };
    double a = cpu_ms();
    auto fresh = std::unique_ptr<char[]>(new char[size]);
    write(fresh.get(), 1);
    double b = cpu_ms();
    write(fresh.get(), 2);
    double c = cpu_ms();
    return {b - a, c - b};
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 20;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = std::max(1, std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--value-tree") == 0) {
            value_tree = true;
        } else {
            fmt::print(stderr, "usage: image-bench [--rounds N] [--value-tree]\n");
            return 2;
        }
    }
    auto [first_touch, again] = fresh_memory_cost();
    fmt::print("this machine: writing 8 MB of fresh memory takes {:.2f} ms of CPU, the same 8 MB again {:.2f} ms\n",
               first_touch, again);
    Data data = generate();
    fmt::print(
        "data: {} RPMs from {} source builds, {} tagged builds, {} Bodhi updates; answers {:.1f} MB of XML and JSON\n",
        kArches * kRpmsPerArch, kSources, kTagged, kUpdates, static_cast<double>(data.bytes()) / 1e6);
    std::map<std::string, std::vector<double>> times;
    std::pair<double, long> first;  // the first round's CPU time and page faults
    std::string hash;
    std::size_t changes = 0;
    // The tagged builds decide() looks through: the 2,000 latest builds of the image's
    // packages and the Bodhi builds (as candidates() returns them) among 98,000 others,
    // made once so that no round times a copy of them.
    std::vector<Candidate> tagged;
    {
        WireKoji koji(data);
        WireBodhi bodhi(data);
        tagged = candidates(koji, bodhi, *find_image(koji, "f41-updates-candidate", "image"), "f41-updates", "F41");
        tagged.insert(tagged.end(), data.tagged.begin(), data.tagged.end());
    }
    for (int r = 0; r < rounds; ++r) {
        WireKoji koji(data);
        WireBodhi bodhi(data);
        long f0 = page_faults();
        double c0 = cpu_ms();
        auto t0 = Steady::now();
        auto image = find_image(koji, "f41-updates-candidate", "image");
        double c1 = cpu_ms();
        auto t1 = Steady::now();
        auto cands = candidates(koji, bodhi, *image, "f41-updates", "F41");
        double c2 = cpu_ms();
        auto t2 = Steady::now();
        auto verdict = decide(image->sources, tagged);
        double c3 = cpu_ms();
        auto t3 = Steady::now();
        times["1 find_image: read 10,000 RPMs and 2,000 builds"].push_back(ms(t1 - t0));
        times["1 find_image, CPU"].push_back(c1 - c0);
        times["2 candidates: read 2,000 latest builds, Bodhi"].push_back(ms(t2 - t1));
        times["2 candidates, CPU"].push_back(c2 - c1);
        times["3 decide: 100,000 tagged builds, rpmverCmp, hash"].push_back(ms(t3 - t2));
        times["3 decide, CPU"].push_back(c3 - c2);
        times["4 total, wall"].push_back(ms(t3 - t0));
        times["5 total, CPU time of the process"].push_back(c3 - c0);
        times["6 page faults"].push_back(static_cast<double>(page_faults() - f0));
        if (r == 0) {
            first = {c3 - c0, page_faults() - f0};
        }
        hash = verdict.input_hash;
        changes = verdict.changes.size() + (cands.empty() ? 1 : 0);
    }
    fmt::print("answers read {}\n", value_tree ? "through the Value tree" : "in place");
    fmt::print("verdict: {} changed packages, input hash {}\n", changes, hash);
    fmt::print("{} rounds, milliseconds (median / slowest):\n", rounds);
    for (auto& [what, v] : times) {
        std::sort(v.begin(), v.end());
        fmt::print("  {:<55} {:7.2f} / {:7.2f}\n", what, v[v.size() / 2], v.back());
    }
    fmt::print("first round, on fresh memory: {:.2f} ms CPU, {} page faults\n", first.first, first.second);
    return 0;
}
