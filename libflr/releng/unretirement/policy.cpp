#include "releng/unretirement/policy.hpp"

#include "releng/names.hpp"

#include <flr/error.hpp>
#include <flr/ticket.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <regex>

namespace flr::releng::unretirement {

namespace {

Phase parse_phase(const Config& section) {
    std::string value = section.string_or("phase", "report-only");
    if (value == "report-only") {
        return Phase::report_only;
    }
    if (value == "auto-recent") {
        return Phase::auto_recent;
    }
    if (value == "auto-all") {
        return Phase::auto_all;
    }
    throw ConfigError(
        fmt::format("{}: \"{}\" is not report-only, auto-recent or auto-all", section.where("phase"), value));
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

const char* phase_name(Phase phase) {
    switch (phase) {
        case Phase::auto_recent:
            return "auto-recent";
        case Phase::auto_all:
            return "auto-all";
        case Phase::report_only:
            break;
    }
    return "report-only";
}

Policy Policy::from_config(const Config& root) {
    Config s = root.section("unretirement");
    s.check_keys({"phase", "max_age_days", "rawhide_tag", "namespaces", "deny", "ticket_project", "close_status",
                  "git_name", "git_email"});
    Policy p;
    p.phase = parse_phase(s);
    long long age = s.integer_or("max_age_days", p.max_age_days);
    if (age < 0 || age > 36500) {
        throw ConfigError(fmt::format("{}: must be between 0 and 36500", s.where("max_age_days")));
    }
    p.max_age_days = static_cast<int>(age);
    p.rawhide_tag = s.string_or("rawhide_tag", "");
    if (!p.rawhide_tag.empty() && !std::regex_match(p.rawhide_tag, std::regex("^f[1-9][0-9]{0,2}$"))) {
        throw ConfigError(fmt::format("{}: \"{}\" is not a tag like f44", s.where("rawhide_tag"), p.rawhide_tag));
    }
    if (s.has("namespaces")) {
        p.namespaces = s.strings("namespaces");
    }
    for (const auto& ns : p.namespaces) {
        if (!valid_namespace(ns)) {
            throw ConfigError(fmt::format("{}: unknown namespace \"{}\"", s.where("namespaces"), ns));
        }
    }
    p.deny = s.strings("deny");
    p.ticket_project = s.string_or("ticket_project", p.ticket_project);
    p.close_status = s.string_or("close_status", p.close_status);
    if (!flr::ticket::valid_close_status(p.close_status)) {
        throw ConfigError(
            fmt::format("{}: \"{}\" is not Processed, Invalid or Denied", s.where("close_status"), p.close_status));
    }
    p.git_name = s.string_or("git_name", p.git_name);
    p.git_email = s.string_or("git_email", p.git_email);
    return p;
}

ServiceSettings Policy::services() const {
    return ServiceSettings{ticket_project, git::Identity{git_name, git_email}};
}

bool Policy::namespace_allowed(const std::string& ns) const {
    return contains(namespaces, ns);
}

bool Policy::denied(const std::string& package) const {
    return contains(deny, package);
}

std::string Policy::canonical_branch(const std::string& branch) const {
    return !rawhide_tag.empty() && branch == rawhide_tag ? "rawhide" : branch;
}

std::vector<std::string> Policy::koji_tags(const std::string& ns, const std::string& branch) const {
    std::string tag = branch;
    if (branch == "rawhide") {
        if (rawhide_tag.empty()) {
            throw ConfigError("unretirement.rawhide_tag is not set, so the rawhide branch has no Koji tag");
        }
        tag = rawhide_tag;
    }
    if (ns == "container" && tag.starts_with("f")) {
        tag += "-container";
    }
    return {tag};
}

}  // namespace flr::releng::unretirement
