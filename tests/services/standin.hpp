// Test helper: the Python stand-in (tests/standin/flr_standin.py) started as a child on
// a free loopback port, with its own seed, journal and temporary directory; stopped
// with the fixture. flr_standin.py --flr-yaml writes the flr.yaml pointing every client at
// it (the one writer the Python tests use too).
#pragma once

#include "../unit/test_util.hpp"
#include "core/http.hpp"
#include "core/process.hpp"

#include <flr/config.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace flr::test {

class StandIn {
public:
    // `extra_args` go to flr_standin.py as they are (e.g. --tls-cert F --tls-key K).
    explicit StandIn(const std::string& seed = FLR_TEST_DATA_DIR "/standin/services.yaml",
                     const std::string& distgit_root = {}, const std::vector<std::string>& extra_args = {});
    ~StandIn();
    StandIn(const StandIn&) = delete;
    StandIn& operator=(const StandIn&) = delete;

    const std::string& url() const { return url_; }
    const TempDir& dir() const { return dir_; }
    // flr.yaml for every service; `extra` is appended (YAML).
    Config config(const std::string& extra = {}) const;
    std::string config_file(const std::string& extra = {}) const;
    // The journal of mutating requests.
    nlohmann::json journal();
    // POST /_standin/faults, e.g. {"fail_next": 2, "status": 503, "path_prefix": "/pagure"}.
    void fault(const nlohmann::json& rule);

private:
    std::string yaml(const std::string& extra) const;
    nlohmann::json control(const std::string& method, const std::string& path, const std::string& body = {});

    TempDir dir_;
    process::Child child_;
    std::string url_;
};

// One stand-in with the default seed, started on first use and shared by a test binary.
StandIn& shared_standin();

}  // namespace flr::test
