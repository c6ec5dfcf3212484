// New dist-git repositories and branches from fedora-scm-requests tickets: the check
// behind flr-check-scm-request(1), the processing behind flr-scm-request(1), and the two
// actions as primitives (flr-create-repo(1), flr-create-branch(1)). The policy comes from
// flr.yaml(5), section `scm`; the services from `pagure`, `distgit`, `bugzilla`, `fasjson`
// and `rhel_packages`.
#pragma once

#include <flr/config.hpp>
#include <flr/export.hpp>

#include <exception>
#include <string>

namespace flr::scm {

// Exit codes of a check and of a run (flr-check-scm-request(1), flr-scm-request(1)).
inline constexpr int exit_valid = 0;     // valid (or not a request, or nothing to do)
inline constexpr int exit_negative = 1;  // invalid, denied or needs-approval; or a step failed

struct CheckOptions {
    std::string ticket;  // URL or number
    bool post = false;   // comment the report on the ticket
    bool dry_run = false;
};

struct ProcessOptions {
    std::string ticket;
    bool dry_run = false;
    // Answer the ticket as the bot does on a bus message: commands (help, retry, valid),
    // the first report, closing invalid and denied requests, and nothing on the bot's own
    // comments.
    bool respond = false;
};

struct CreateRepoOptions {
    std::string ns = "rpms";
    std::string name;
    std::string description;
    std::string upstream_url;
    std::string main_admin;
    std::string monitor = "no-monitoring";
    std::string branch;  // an extra branch to create from rawhide
    bool dry_run = false;
};

struct CreateBranchOptions {
    std::string ns = "rpms";
    std::string name;
    std::string branch;
    std::string from = "rawhide";
    bool dry_run = false;
};

struct Output {
    int exit_code = 0;
    std::string markdown;
    std::string json;
    std::exception_ptr failure;  // a step failed (an Error, exit 1); `json` holds the record
};

// Strict checks of command-line values; each throws UsageError naming the option.
FLR_EXPORT void check_repo_name(const std::string& name);
FLR_EXPORT void check_namespace(const std::string& ns);
FLR_EXPORT void check_branch_name(const std::string& branch, const std::string& option = "--branch");
FLR_EXPORT void check_monitor(const std::string& monitor);
FLR_EXPORT void check_user(const std::string& user);

FLR_EXPORT Output check(const Config& config, const CheckOptions& options);
FLR_EXPORT Output process(const Config& config, const ProcessOptions& options);
FLR_EXPORT Output create_repo(const Config& config, const CreateRepoOptions& options);
FLR_EXPORT Output create_branch(const Config& config, const CreateBranchOptions& options);

}  // namespace flr::scm
