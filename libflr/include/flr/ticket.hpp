// Ticket operations behind flr-ticket(1): strict argument checks (a sudo rule pins
// them), comment, close with a close_status. Each is idempotent where it can be.
#pragma once

#include <flr/export.hpp>
#include <flr/pagure.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace flr::ticket {

// A positive decimal id without leading zeros or sign; throws UsageError.
FLR_EXPORT std::int64_t parse_id(std::string_view text);
// A project name matching pagure::valid_project_name; throws UsageError.
FLR_EXPORT void check_project(std::string_view project);
// The close statuses flr-ticket accepts.
FLR_EXPORT bool valid_close_status(std::string_view status);

struct Outcome {
    bool changed = false;  // false for a dry run or when nothing was left to do
    std::string url;       // the ticket
    std::string message;   // one line saying what happened (or would happen)
};

FLR_EXPORT Outcome comment(pagure::Client& client, const std::string& project, std::int64_t id, const std::string& body,
                           bool dry_run);
// Comments first (when `comment` is not empty), then closes. A ticket already closed
// with the same status is left alone (and not commented on again).
FLR_EXPORT Outcome close(pagure::Client& client, const std::string& project, std::int64_t id,
                         const std::string& close_status, const std::string& comment, bool dry_run);

}  // namespace flr::ticket
