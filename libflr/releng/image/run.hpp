// Private: the three operations of the image workflow over the ports, and their reports.
#pragma once

#include "releng/image/check.hpp"
#include "releng/image/config.hpp"
#include "releng/image/target.hpp"
#include "releng/ports.hpp"
#include "releng/ports/publish.hpp"
#include "releng/steps.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace flr::releng::image {

struct Job {
    WorkflowSettings settings;
    ImageSettings image;
    int release = 0;
    bool dry_run = false;
};

struct CheckReport {
    std::string image;
    Target target;
    ImageBuild build;
    Verdict verdict;
};

// Throws Error when the candidate tag holds no completed build of the image.
CheckReport run_check(const Ports& ports, const Job& job);

struct RebuildReport : StepRecord {
    CheckReport check;
    bool submitted = false;
    std::int64_t task_id = 0;
    std::string state_file;
};

RebuildReport run_rebuild(const Ports& ports, const Job& job);

struct ReleaseReport : StepRecord {
    std::string image;
    Target target;
    std::string build_nvr;      // "" when there is no build at all
    std::string last_released;  // from the state file, "" when none
    bool due = false;           // a build was made since the last release
    std::vector<std::string> tags;
    std::string state_file;
};

// `scratch_dir`: where archives are downloaded to (a private temporary directory).
ReleaseReport run_release(const Ports& ports, PublishPort& publish, const Job& job, const std::string& scratch_dir);

nlohmann::json check_json(const CheckReport& r);
std::string check_text(const CheckReport& r);
nlohmann::json rebuild_json(const RebuildReport& r);
std::string rebuild_text(const RebuildReport& r);
nlohmann::json release_json(const ReleaseReport& r);
std::string release_text(const ReleaseReport& r);

// The URL of an image archive under Koji's topurl.
std::string archive_url(const std::string& topurl, const koji::Build& build, const koji::Archive& archive);

}  // namespace flr::releng::image
