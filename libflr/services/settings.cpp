#include "services/settings.hpp"

#include "services/rest.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <filesystem>

namespace flr::services {
namespace {

std::chrono::milliseconds seconds(const Config& c, std::string_view key, std::chrono::milliseconds fallback) {
    long long value = c.integer_or(key, fallback.count() / 1000);
    if (value <= 0 || value > 86400) {
        throw ConfigError(fmt::format("{}: expected seconds between 1 and 86400", c.where(key)));
    }
    return std::chrono::seconds(value);
}

void apply(const Config& c, http::Settings& s, const Config& root) {
    if (auto ca = c.string("ca_bundle")) {
        s.ca_bundle = config_path(root, *ca);
    }
    s.connect_timeout = seconds(c, "connect_timeout", s.connect_timeout);
    s.timeout = seconds(c, "timeout", s.timeout);
    long long retries = c.integer_or("retries", s.retries);
    if (retries < 0 || retries > 10) {
        throw ConfigError(fmt::format("{}: expected 0 to 10", c.where("retries")));
    }
    s.retries = static_cast<int>(retries);
    long long backoff = c.integer_or("retry_backoff_ms", s.backoff.count());
    if (backoff < 0 || backoff > 60000) {
        throw ConfigError(fmt::format("{}: expected 0 to 60000", c.where("retry_backoff_ms")));
    }
    s.backoff = std::chrono::milliseconds(backoff);
}

}  // namespace

std::string config_path(const Config& root, const std::string& value) {
    std::filesystem::path p(value);
    if (p.is_absolute() || root.source().empty()) {
        return value;
    }
    return (std::filesystem::path(root.source()).parent_path() / p).string();
}

Endpoint endpoint(const Config& root, std::string_view section, std::vector<std::string_view> own) {
    Config http = root.section("http");
    http.check_keys(http_keys);
    Config c = root.section(section);
    own.insert(own.end(), http_keys.begin(), http_keys.end());
    c.check_keys(own);
    Endpoint e{c, c.required_string("url"), {}};
    if (!e.url.starts_with("https://") && !e.url.starts_with("http://")) {
        throw ConfigError(fmt::format("{}: expected an http:// or https:// URL", c.where("url")));
    }
    while (e.url.ends_with('/')) {
        e.url.pop_back();
    }
    e.http.service = std::string(section);
    e.http.error_message = error_message;
    apply(http, e.http, root);
    apply(c, e.http, root);
    return e;
}

std::optional<Secret> secret(const Config& root, const Endpoint& endpoint, std::string_view key) {
    auto path = endpoint.section.string(key);
    if (!path || path->empty()) {
        return std::nullopt;
    }
    return Secret::from_file(config_path(root, *path));
}

}  // namespace flr::services
