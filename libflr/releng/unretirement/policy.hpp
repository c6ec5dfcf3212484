// Private: the unretirement policy from flr.yaml(5), section `unretirement`.
#pragma once

#include "releng/adapters.hpp"

#include <flr/config.hpp>

#include <string>
#include <vector>

namespace flr::releng::unretirement {

enum class Phase { report_only, auto_recent, auto_all };

const char* phase_name(Phase phase);

struct Policy {
    Phase phase = Phase::report_only;
    int max_age_days = 56;                        // the 8-week rule
    std::string rawhide_tag;                      // "f44"; required for the rawhide branch
    std::vector<std::string> namespaces{"rpms"};  // namespaces handled at all
    std::vector<std::string> deny;                // packages never unretired automatically
    std::string ticket_project = "releng";        // the pagure.io project of the ticket queue
    std::string close_status = "Processed";
    std::string git_name = "Fedora Release Engineering";
    std::string git_email = "releng@fedoraproject.org";

    // Reads `unretirement` from the whole configuration; refuses unknown keys and bad values.
    static Policy from_config(const Config& root);

    // The ticket queue and git identity the service adapters use.
    ServiceSettings services() const;

    bool namespace_allowed(const std::string& ns) const;
    bool denied(const std::string& package) const;
    // The Koji tags a branch maps to ("rawhide" -> rawhide_tag, fNN -> fNN, epelN -> epelN;
    // the container namespace uses fNN-container). Throws ConfigError when rawhide_tag is unset.
    std::vector<std::string> koji_tags(const std::string& ns, const std::string& branch) const;
    // A branch named after the rawhide tag ("f44" while f44 is rawhide) means rawhide.
    std::string canonical_branch(const std::string& branch) const;
};

}  // namespace flr::releng::unretirement
