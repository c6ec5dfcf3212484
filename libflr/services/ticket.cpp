#include <flr/config.hpp>
#include <flr/error.hpp>
#include <flr/ticket.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace flr::ticket {

std::int64_t parse_id(std::string_view text) {
    bool digits = !text.empty() && text.size() <= 9 && text.front() != '0' &&
                  text.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits) {
        throw UsageError(fmt::format("invalid ticket id \"{}\": expected a positive integer without leading zeros",
                                     text.substr(0, 40)));
    }
    return std::stoll(std::string(text));
}

void check_project(std::string_view project) {
    if (!pagure::valid_project_name(project)) {
        throw UsageError(
            fmt::format("invalid project \"{}\": expected lower-case name or namespace/name", project.substr(0, 80)));
    }
}

bool valid_close_status(std::string_view status) {
    static constexpr std::array<std::string_view, 3> allowed{"Processed", "Invalid", "Denied"};
    return std::find(allowed.begin(), allowed.end(), status) != allowed.end();
}

Outcome comment(pagure::Client& client, const std::string& project, std::int64_t id, const std::string& body,
                bool dry_run) {
    std::string url = client.issue_url(project, id);
    (void)client.issue(project, id);  // a missing ticket fails here, also in a dry run
    if (dry_run) {
        return {false, url, fmt::format("would comment on {} ({} bytes)", url, body.size())};
    }
    client.comment(project, id, body);
    return {true, url, fmt::format("commented on {}", url)};
}

Outcome close(pagure::Client& client, const std::string& project, std::int64_t id, const std::string& close_status,
              const std::string& comment, bool dry_run) {
    if (!valid_close_status(close_status)) {
        throw UsageError(
            fmt::format("invalid close status \"{}\": expected Processed, Invalid or Denied", close_status));
    }
    std::string url = client.issue_url(project, id);
    auto issue = client.issue(project, id);
    if (issue.status == "Closed" && issue.close_status == close_status) {
        return {false, url, fmt::format("{} is already closed as {}", url, close_status)};
    }
    std::string with = comment.empty() ? "" : " with a comment";
    if (dry_run) {
        return {false, url, fmt::format("would close {} as {}{}", url, close_status, with)};
    }
    if (!comment.empty()) {
        client.comment(project, id, comment);
    }
    client.set_status(project, id, "Closed", close_status);
    return {true, url, fmt::format("closed {} as {}{}", url, close_status, with)};
}

}  // namespace flr::ticket
