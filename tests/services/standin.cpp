#include "standin.hpp"

#include "core/fs.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace flr::test {

namespace {

void write(const std::string& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
}

}  // namespace

StandIn::StandIn(const std::string& seed, const std::string& distgit_root, const std::vector<std::string>& extra_args) {
    process::Spec spec;
    const char* script = std::getenv("FLR_TEST_STANDIN");  // a stand-in under development
    spec.argv = {FLR_PYTHON3,    script && *script ? script : FLR_STANDIN,
                 "--port",       "0",
                 "--seed",       seed,
                 "--ready-file", dir_.file("ready"),
                 "--journal",    dir_.file("journal")};
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
    write(dir_.file("pagure.token"), "pagure-token\n", 0600);
    write(dir_.file("distgit.token"), "distgit-token\n", 0600);
    write(dir_.file("bugzilla.key"), "bugzilla-key\n", 0600);
    write(dir_.file("koji.pem"), "not used by plain http\n", 0600);
}

StandIn::~StandIn() {
    if (child_.running()) {
        child_.kill_group(SIGTERM);
        child_.wait();
    }
}

std::string StandIn::yaml(const std::string& extra) const {
    return fmt::format(R"(http: {{connect_timeout: 2, timeout: 5, retries: 2, retry_backoff_ms: 20}}
pagure: {{url: "{0}/pagure", token_file: "{1}/pagure.token"}}
distgit: {{url: "{0}/distgit", git_url: "{0}/distgit", token_file: "{1}/distgit.token"}}
koji: {{url: "{0}/kojihub", cert: "{1}/koji.pem"}}
bugzilla: {{url: "{0}", api_key_file: "{1}/bugzilla.key"}}
bodhi: {{url: "{0}"}}
{2}
)",
                       url_, dir_.path().string(), extra);
}

Config StandIn::config(const std::string& extra) const {
    return Config::parse(yaml(extra), "test.yaml");
}

std::string StandIn::config_file(const std::string& extra) const {
    std::string path = dir_.file("flr.yaml");
    write(path, yaml(extra), 0644);
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
