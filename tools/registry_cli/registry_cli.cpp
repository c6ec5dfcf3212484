#include "registry_cli.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

namespace flr::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string mib(std::uint64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

std::string short_digest(const std::string& digest) {
    return digest.substr(0, std::min<std::size_t>(digest.size(), 19));
}

// A bar per active blob and a total on a terminal; one line per finished blob otherwise.
class Progress {
public:
    explicit Progress(bool tty) : tty_(tty), start_(Clock::now()) {}

    void operator()(const registry::ProgressEvent& e) {
        auto now = Clock::now();
        auto& b = blobs_[e.digest];
        if (b.total == 0) {
            b.began = now;
        }
        b.done = e.done;
        b.total = e.total;
        b.action = e.action;
        if (e.finished) {
            b.finished = true;
            if (!tty_) {
                std::fprintf(stderr, "%s %s %s in %.2f s\n", short_digest(e.digest).c_str(), e.action.c_str(),
                             mib(e.total).c_str(), e.seconds);
                return;
            }
        }
        if (tty_ && (e.finished || now - drawn_ > std::chrono::milliseconds(100))) {
            draw(now);
        }
    }

private:
    struct Blob {
        std::uint64_t done = 0;
        std::uint64_t total = 0;
        std::string action;
        bool finished = false;
        Clock::time_point began;
    };

    static std::string line(const std::string& name, std::uint64_t done, std::uint64_t total, double seconds) {
        double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
        double eta = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : 0;
        int width = 20;
        int filled = total ? static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total)) : width;
        return fmt::format("{:<20} [{:<{}}] {} / {}  {}/s  ETA {:.0f} s", name, std::string(filled, '#'), width,
                           mib(done), mib(total), mib(static_cast<std::uint64_t>(rate)), eta);
    }

    void draw(Clock::time_point now) {
        std::string out;
        for (int i = 0; i < lines_; ++i) {
            out += "\033[1A\033[2K";
        }
        lines_ = 0;
        std::uint64_t done = 0;
        std::uint64_t total = 0;
        for (const auto& [digest, b] : blobs_) {
            done += b.done;
            total += b.total;
            if (b.action == "upload" || b.finished) {
                out +=
                    line(short_digest(digest), b.done, b.total, std::chrono::duration<double>(now - b.began).count());
                out += b.finished ? "  " + b.action + "\n" : "\n";
                ++lines_;
            }
        }
        out += line("total", done, total, std::chrono::duration<double>(now - start_).count()) + "\n";
        ++lines_;
        std::fputs(out.c_str(), stderr);
        drawn_ = now;
    }

    bool tty_;
    Clock::time_point start_;
    Clock::time_point drawn_{};
    int lines_ = 0;
    std::map<std::string, Blob> blobs_;
};

}  // namespace

RegistryCli::RegistryCli(Tool& tool) : tool_(tool) {
    auto& app = tool.app();
    app.add_option("--authfile", options_.auth_file,
                   "containers-auth.json with the registry credentials (mode 0600 or stricter)");
    app.add_flag("--plain-http", options_.plain_http, "Speak plain HTTP to the registries (private test registries)");
    app.add_option("--ca-bundle", options_.ca_bundle, "CA file to verify the registries with");
    app.add_option("--parallel", options_.parallel, "Blobs transferred at once")->check(CLI::Range(1, 32));
    app.add_option("--retries", options_.retries, "Extra attempts per request after a transient failure")
        ->check(CLI::Range(0, 50));
    app.add_option("--chunk-size", chunk_mib_, "Upload blobs larger than this many MiB in chunks this big")
        ->check(CLI::Range(1, 4096));
}

registry::Options RegistryCli::options() {
    registry::Options o = options_;
    o.dry_run = tool_.options().dry_run;
    o.chunk_size = chunk_mib_ << 20U;
    if (!tool_.options().quiet) {
        auto progress = std::make_shared<Progress>(isatty(STDERR_FILENO) == 1);
        o.progress = [progress](const registry::ProgressEvent& e) { (*progress)(e); };
    }
    return o;
}

void RegistryCli::print(const registry::Report& report) const {
    if (tool_.json()) {
        nlohmann::json blobs = nlohmann::json::array();
        for (const auto& b : report.blobs) {
            nlohmann::json j{{"digest", b.digest},    {"media_type", b.media_type}, {"size", b.size},
                             {"action", b.action},    {"bytes_sent", b.bytes_sent}, {"seconds", b.seconds},
                             {"attempts", b.attempts}};
            if (!b.from.empty()) {
                j["from"] = b.from;
            }
            blobs.push_back(j);
        }
        nlohmann::json manifests = nlohmann::json::array();
        for (const auto& m : report.manifests) {
            manifests.push_back(
                {{"reference", m.reference}, {"digest", m.digest}, {"media_type", m.media_type}, {"action", m.action}});
        }
        tool_.print_json({{"blobs", blobs},
                          {"manifests", manifests},
                          {"seconds", report.seconds},
                          {"dry_run", tool_.options().dry_run}});
        return;
    }
    std::map<std::string, int> counts;
    std::uint64_t sent = 0;
    for (const auto& b : report.blobs) {
        ++counts[b.action];
        sent += b.bytes_sent;
    }
    std::string summary;
    for (const auto& [action, n] : counts) {
        summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, action);
    }
    for (const auto& m : report.manifests) {
        tool_.print(fmt::format("{} {} {}\n", m.action, m.reference, m.digest));
    }
    tool_.print(fmt::format("blobs: {} ({} sent) in {:.2f} s\n", summary.empty() ? "none" : summary, mib(sent),
                            report.seconds));
}

}  // namespace flr::cli
