#include "releng/scm/policy.hpp"

#include "releng/names.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>
#include <flr/ticket.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <regex>

namespace flr::releng::scm {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string close_status(const Config& s, const char* key, const std::string& fallback) {
    std::string v = s.string_or(key, fallback);
    if (!flr::ticket::valid_close_status(v)) {
        throw ConfigError(fmt::format("{}: \"{}\" is not Processed, Invalid or Denied", s.where(key), v));
    }
    return v;
}

std::vector<std::string> namespace_list(const Config& s, const char* key, std::vector<std::string> fallback) {
    if (!s.has(key)) {
        return fallback;
    }
    auto list = s.strings(key);
    for (const auto& ns : list) {
        if (!valid_namespace(ns)) {
            throw ConfigError(fmt::format("{}: unknown namespace \"{}\"", s.where(key), ns));
        }
    }
    return list;
}

std::string group(const Config& s, const char* key, const std::string& fallback) {
    std::string v = s.string_or(key, fallback);
    if (!valid_user_name(v)) {
        throw ConfigError(fmt::format("{}: \"{}\" is not a group name", s.where(key), v));
    }
    return v;
}

}  // namespace

std::optional<LenientDate> parse_lenient_date(const std::string& text) {
    static const std::regex re("^([0-9]{4})-([0-9]{2})-([0-9]{2})$");
    std::smatch m;
    if (text.size() != 10 || !std::regex_match(text, m, re)) {
        return std::nullopt;
    }
    using namespace std::chrono;
    int y = std::stoi(m[1]);
    unsigned mo = static_cast<unsigned>(std::stoi(m[2]));
    unsigned d = static_cast<unsigned>(std::stoi(m[3]));
    if (mo < 1 || mo > 12 || d < 1) {
        return std::nullopt;
    }
    LenientDate out;
    out.text = text;
    year_month_day ymd{year{y}, month{mo}, day{d}};
    if (!ymd.ok()) {
        year_month_day_last last{year{y}, month_day_last{month{mo}}};
        ymd = year_month_day{last};
        out.warning =
            fmt::format("{} is not a date; read as {:04}-{:02}-{:02}", text, y, mo, static_cast<unsigned>(ymd.day()));
    }
    out.time = sys_days{ymd}.time_since_epoch().count() * 86400LL;
    return out;
}

Policy Policy::from_config(const Config& root) {
    Config s = root.section("scm");
    s.check_keys({"ticket_project", "bot_name", "approvers_group", "provenpackager_group", "namespaces",
                  "no_review_namespaces", "review_components", "review_products", "review_max_age_days", "releases",
                  "close_statuses"});
    Policy p;
    p.ticket_project = s.string_or("ticket_project", p.ticket_project);
    p.bot_name = s.string_or("bot_name", p.bot_name);
    if (!valid_user_name(p.bot_name)) {
        throw ConfigError(fmt::format("{}: \"{}\" is not a user name", s.where("bot_name"), p.bot_name));
    }
    p.approvers_group = group(s, "approvers_group", p.approvers_group);
    p.provenpackager_group = group(s, "provenpackager_group", p.provenpackager_group);
    p.namespaces = namespace_list(s, "namespaces", p.namespaces);
    p.no_review_namespaces = namespace_list(s, "no_review_namespaces", p.no_review_namespaces);
    if (s.has("review_components")) {
        p.review_components.clear();
        for (const auto& [ns, node] : s.section("review_components").entries()) {
            p.review_components[ns] = node.scalar();
        }
    }
    if (s.has("review_products")) {
        p.review_products.clear();
        for (const auto& [ns, node] : s.section("review_products").entries()) {
            for (const auto& item : node.items()) {
                p.review_products[ns].push_back(item.scalar());
            }
            if (p.review_products[ns].empty()) {
                throw ConfigError(fmt::format("{}: give a list of products", node.where()));
            }
        }
    }
    long long age = s.integer_or("review_max_age_days", p.review_max_age_days);
    if (age < 1 || age > 3650) {
        throw ConfigError(fmt::format("{}: must be between 1 and 3650", s.where("review_max_age_days")));
    }
    p.review_max_age_days = static_cast<int>(age);
    static const std::regex release_re("^f[1-9][0-9]{0,2}$");
    for (const auto& [branch, node] : s.section("releases").entries()) {
        if (!std::regex_match(branch, release_re)) {
            throw ConfigError(fmt::format("{}: \"{}\" is not a release branch like f44", s.where("releases"), branch));
        }
        std::string text = node.scalar();
        auto date = parse_lenient_date(text);
        if (!date) {
            throw ConfigError(fmt::format("{}: \"{}\" is not a date (YYYY-MM-DD)", node.where(), text));
        }
        if (!date->warning.empty()) {
            p.warnings.push_back(fmt::format("{}: {}", node.where(), date->warning));
            log::warning(p.warnings.back());
        }
        p.releases[branch] = *date;
    }
    Config cs = s.section("close_statuses");
    cs.check_keys({"processed", "invalid", "denied"});
    p.close_processed = close_status(cs, "processed", p.close_processed);
    p.close_invalid = close_status(cs, "invalid", p.close_invalid);
    p.close_denied = close_status(cs, "denied", p.close_denied);
    return p;
}

ServiceSettings Policy::services() const {
    return ServiceSettings{ticket_project, {}};
}

bool Policy::namespace_allowed(const std::string& ns) const {
    return contains(namespaces, ns);
}

bool Policy::review_required(const std::string& ns) const {
    return !contains(no_review_namespaces, ns);
}

bool Policy::active_release(const std::string& branch, std::int64_t now) const {
    auto it = releases.find(branch);
    return it != releases.end() && it->second.time > now;
}

}  // namespace flr::releng::scm
