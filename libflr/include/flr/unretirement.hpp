// Unretiring Fedora packages: the check behind flr-check-unretirement(1) and the
// operation behind flr-unretire(1). The policy comes from flr.yaml(5), section
// `unretirement`; the services from the `pagure`, `distgit`, `koji` and `bugzilla` sections.
#pragma once

#include <flr/config.hpp>
#include <flr/export.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace flr::unretirement {

// Exit codes of a check (see flr-check-unretirement(1)).
inline constexpr int exit_auto = 0;      // the verdict is auto, or the ticket is not an unretirement ticket
inline constexpr int exit_negative = 1;  // needs-review, manual or refuse

struct CheckOptions {
    std::string package;  // "" to take it from the ticket
    std::string ns;       // "" for the ticket's, else rpms
    std::vector<std::string> branches;
    std::string ticket;  // URL or id, "" for none
    std::optional<std::int64_t> bug;
    bool post = false;
    bool post_closed = false;  // with post: comment on a closed ticket too
    bool dry_run = false;      // with post: say what would be posted, post nothing
};

struct UnretireOptions {
    std::string package;
    std::string ns = "rpms";
    std::vector<std::string> branches;
    std::string ticket;  // URL
    bool dry_run = false;
    bool force = false;
};

struct Output {
    int exit_code = 0;
    std::string markdown;        // for humans and ticket comments
    std::string json;            // the same content as a JSON document
    std::exception_ptr failure;  // flr-unretire: a step failed (an Error, exit 1); `json` holds the record
};

// Strict checks of command-line values; each throws UsageError naming the value.
FLR_EXPORT void check_package(const std::string& package);
FLR_EXPORT void check_namespace(const std::string& ns);
FLR_EXPORT void check_branch(const std::string& branch);

FLR_EXPORT Output check(const Config& config, const CheckOptions& options);
FLR_EXPORT Output unretire(const Config& config, const UnretireOptions& options);

}  // namespace flr::unretirement
