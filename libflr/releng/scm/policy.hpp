// Private: the scm-requests policy from flr.yaml(5), section `scm`: active releases and
// their end-of-life dates, the namespace maps, who approves, the bot's name and the close
// statuses. Everything that changes with a Fedora release is configuration, not code.
#pragma once

#include "releng/adapters.hpp"

#include <flr/config.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng::scm {

// A date from a hand-kept table, read leniently: "2027-11-31" is read as the last day of
// its month, with a warning. `time` is midnight UTC of the date read.
struct LenientDate {
    std::int64_t time = 0;
    std::string text;     // as written
    std::string warning;  // "" when the date is a real one
};

// "YYYY-MM-DD" with a day past the month's end clamped to its last day (and a warning).
// nullopt when it is not of that form at all, or the month is not 1-12.
std::optional<LenientDate> parse_lenient_date(const std::string& text);

struct Policy {
    std::string ticket_project = "releng/fedora-scm-requests";
    std::string bot_name = "releng-bot";
    std::string approvers_group = "releng";               // approve exceptions, may retry any request
    std::string provenpackager_group = "provenpackager";  // may request branches, but no epel ones
    // new_repo: the namespaces handled at all.
    std::vector<std::string> namespaces{"rpms", "container", "flatpaks", "modules", "tests"};
    // new_repo: namespaces whose repos need no review bug.
    std::vector<std::string> no_review_namespaces{"tests", "flatpaks", "modules"};
    std::map<std::string, std::string> review_components{
        {"rpms", "Package Review"}, {"container", "Container Review"}, {"modules", "Module Review"}};
    std::map<std::string, std::vector<std::string>> review_products{{"rpms", {"Fedora", "Fedora EPEL"}},
                                                                    {"container", {"Fedora Container Images"}},
                                                                    {"modules", {"Fedora Modules"}}};
    int review_max_age_days = 60;
    // Active release branches (fNN) and their end-of-life dates.
    std::map<std::string, LenientDate> releases;
    std::string close_processed = "Processed";
    std::string close_invalid = "Invalid";
    std::string close_denied = "Denied";
    std::vector<std::string> warnings;  // lenient readings of the configuration

    // Reads `scm` from the whole configuration; refuses unknown keys and bad values.
    static Policy from_config(const Config& root);

    ServiceSettings services() const;
    bool namespace_allowed(const std::string& ns) const;
    bool review_required(const std::string& ns) const;
    // fNN listed under `releases` whose end of life is after `now`.
    bool active_release(const std::string& branch, std::int64_t now) const;
};

}  // namespace flr::releng::scm
