#include "standin.hpp"

#include "core/fs.hpp"

#include <csignal>
#include <filesystem>
#include <thread>

namespace flr::test {

namespace {

// Client settings for tests: fail fast, retry twice with a short backoff.
constexpr const char* kClientSettings = "http: {connect_timeout: 2, timeout: 5, retries: 2, retry_backoff_ms: 20}";

}  // namespace

StandIn::StandIn(const std::string& seed, const std::string& distgit_root, const std::vector<std::string>& extra_args) {
    process::Spec spec;
    const char* script = std::getenv("FLR_TEST_STANDIN");  // a stand-in under development
    spec.argv = {FLR_PYTHON3, script && *script ? script : FLR_STANDIN, "--port", "0", "--seed", seed, "--ready-file",
                 dir_.file("ready"), "--journal", dir_.file("journal"),
                 // flr.yaml for its own URL and the seed's credentials (secret files beside it)
                 "--flr-yaml", dir_.file("standin.yaml"), "--flr-yaml-extra", kClientSettings};
    if (!distgit_root.empty()) {
        spec.argv.insert(spec.argv.end(), {"--distgit-root", distgit_root});
    }
    spec.argv.insert(spec.argv.end(), extra_args.begin(), extra_args.end());
    spec.env = process::minimal_env();
    child_ = process::spawn(spec);
    for (int i = 0; i < 200 && url_.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (std::filesystem::exists(dir_.file("ready"))) {
            url_ = nlohmann::json::parse(fs::read_file(dir_.file("ready")))["url"].get<std::string>();
        } else if (child_.try_wait()) {
            throw std::runtime_error("the stand-in exited: " + fs::read_all(child_.stderr_fd(), "stand-in"));
        }
    }
    if (url_.empty()) {
        throw std::runtime_error("the stand-in did not start within 10 s");
    }
}

StandIn::~StandIn() {
    if (child_.running()) {
        child_.kill_group(SIGTERM);
        child_.wait();
    }
}

std::string StandIn::yaml(const std::string& extra) const {
    return fs::read_file(dir_.file("standin.yaml")) + extra + "\n";
}

Config StandIn::config(const std::string& extra) const {
    return Config::parse(yaml(extra), "test.yaml");
}

std::string StandIn::config_file(const std::string& extra) const {
    std::string path = dir_.file("flr.yaml");
    fs::write_file_atomic(path, yaml(extra));
    return path;
}

nlohmann::json StandIn::control(const std::string& method, const std::string& path, const std::string& body) {
    http::Settings settings;
    settings.service = "standin";
    settings.connect_timeout = std::chrono::seconds(2);
    settings.timeout = std::chrono::seconds(10);
    settings.retries = 0;
    http::Client client(settings);
    return client.send_json({method, url_ + "/_standin/" + path, {{"Content-Type", "application/json"}}, body, {}});
}

nlohmann::json StandIn::journal() {
    return control("GET", "journal");
}

void StandIn::fault(const nlohmann::json& rule) {
    control("POST", "faults", rule.dump());
}

StandIn& shared_standin() {
    static StandIn s;
    return s;
}

}  // namespace flr::test
