// Private: reading a service's flr.yaml(5) section into HTTP settings, a base URL and
// its secret. Shared keys live under `http:`; a service section may override them.
#pragma once

#include "core/http.hpp"

#include <flr/config.hpp>
#include <flr/secret.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr::services {

// The keys every service section accepts besides its own.
inline const std::vector<std::string_view> http_keys = {"ca_bundle", "connect_timeout", "timeout", "retries",
                                                        "retry_backoff_ms"};

struct Endpoint {
    Config section;
    std::string url;  // without a trailing slash
    http::Settings http;
};

// Reads `root.<section>`, refusing keys outside `own` + http_keys. `url` is required
// and must be http:// or https://.
Endpoint endpoint(const Config& root, std::string_view section, std::vector<std::string_view> own);

// A path from the configuration; relative ones are taken from the file's directory.
std::string config_path(const Config& root, const std::string& value);

// The secret named by `key` (a file path) in the endpoint's section, if set.
std::optional<Secret> secret(const Config& root, const Endpoint& endpoint, std::string_view key);

}  // namespace flr::services
