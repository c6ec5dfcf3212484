// Registry authentication: WWW-Authenticate challenges, containers-auth.json, Bearer
// tokens with the scope widened to every repository an operation touches, and the
// Endpoint every registry request goes through.
#include "services/registry_impl.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>
#include <flr/secret.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace flr::registry {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

void skip_space(std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
}

std::string take_token(std::string_view& s) {
    std::size_t n = 0;
    while (n < s.size() && token_char(s[n])) {
        ++n;
    }
    std::string out(s.substr(0, n));
    s.remove_prefix(n);
    return out;
}

[[noreturn]] void bad_challenge(std::string_view why) {
    throw RemoteError("registry", fmt::format("malformed WWW-Authenticate header: {}", why));
}

std::string take_quoted(std::string_view& s) {
    s.remove_prefix(1);  // the opening quote
    std::string out;
    while (!s.empty() && s.front() != '"') {
        if (s.front() == '\\') {
            s.remove_prefix(1);
            if (s.empty()) {
                break;
            }
        }
        out.push_back(s.front());
        s.remove_prefix(1);
    }
    if (s.empty()) {
        bad_challenge("unterminated quoted string");
    }
    s.remove_prefix(1);
    return out;
}

}  // namespace

std::string manifest_accept() {
    return fmt::format("{}, {}, {}, {}", oci_manifest, oci_index, docker_manifest, docker_list);
}

std::vector<Challenge> parse_challenges(std::string_view s) {
    std::vector<Challenge> out;
    for (;;) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == ',')) {
            s.remove_prefix(1);
        }
        if (s.empty()) {
            return out;
        }
        std::string word = take_token(s);
        if (word.empty()) {
            bad_challenge("expected an auth scheme");
        }
        skip_space(s);
        if (!s.empty() && s.front() == '=') {
            // name=value of the current challenge
            if (out.empty()) {
                bad_challenge("a parameter before any scheme");
            }
            s.remove_prefix(1);
            skip_space(s);
            std::string value = !s.empty() && s.front() == '"' ? take_quoted(s) : take_token(s);
            out.back().params[lower(word)] = value;
            continue;
        }
        out.push_back({lower(word), {}});
    }
}

std::string base64_encode(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64_decode(std::string_view data) {
    if (data.size() % 4 != 0 || data.size() > (1U << 20U)) {
        throw ConfigError("bad base64 in the auth file");
    }
    std::string out(3 * (data.size() / 4) + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    if (n < 0) {
        throw ConfigError("bad base64 in the auth file");
    }
    auto size = static_cast<std::size_t>(n);
    for (std::size_t i = data.size(); i > 0 && data[i - 1] == '=' && size > 0; --i) {
        --size;  // EVP_DecodeBlock counts padding as zero bytes
    }
    out.resize(size);
    return out;
}

std::map<std::string, Credential> parse_auth_json(std::string_view text) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        throw ConfigError("the auth file is not a JSON object");
    }
    std::map<std::string, Credential> out;
    auto auths = doc.find("auths");
    if (auths == doc.end()) {
        return out;
    }
    if (!auths->is_object()) {
        throw ConfigError("the auth file's \"auths\" is not an object");
    }
    for (const auto& [host, entry] : auths->items()) {
        if (!entry.is_object() || !entry.contains("auth") || !entry["auth"].is_string()) {
            continue;  // other forms (identitytoken, credential helpers) are not used
        }
        std::string plain = base64_decode(entry["auth"].get<std::string>());
        auto colon = plain.find(':');
        if (colon == std::string::npos) {
            throw ConfigError(fmt::format("the auth file's entry for {} is not user:password", host));
        }
        std::string key = host;
        for (std::string_view prefix : {"https://", "http://"}) {
            if (key.starts_with(prefix)) {
                key.erase(0, prefix.size());
            }
        }
        if (auto slash = key.find('/'); slash != std::string::npos) {
            key.erase(slash);
        }
        out[key] = Credential{plain.substr(0, colon), plain.substr(colon + 1)};
    }
    return out;
}

std::optional<Credential> load_credential(const std::string& path, const std::string& registry) {
    if (path.empty()) {
        return std::nullopt;
    }
    Secret text = Secret::from_file(path);  // mode and owner checked there
    auto all = parse_auth_json(text.reveal());
    auto it = all.find(registry);
    if (it == all.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::string registry_message(std::string_view body) {
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array()) {
        return {};
    }
    std::string out;
    for (const auto& e : doc["errors"]) {
        if (!e.is_object()) {
            continue;
        }
        auto str = [&](const char* key) {
            return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
        };
        std::string one = str("code");
        std::string message = str("message");
        one += one.empty() || message.empty() ? message : ": " + message;
        if (!one.empty()) {
            out += (out.empty() ? "" : "; ") + one;
        }
    }
    std::replace_if(
        out.begin(), out.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, ' ');
    return out.size() > 300 ? out.substr(0, 300) + "..." : out;
}

Endpoint::Endpoint(std::string registry, const Options& options, std::vector<std::string> scopes)
    : registry_(std::move(registry)),
      base_((options.plain_http ? "http://" : "https://") + registry_),
      options_(options),
      scopes_(std::move(scopes)),
      credential_(load_credential(options.auth_file, registry_)),
      pool_(std::make_shared<http::Pool>()) {}

std::unique_ptr<http::Session> Endpoint::session() const {
    http::Settings settings;
    settings.service = "registry";
    settings.ca_bundle = options_.ca_bundle;
    settings.timeout = std::chrono::seconds(120);
    auto s = std::make_unique<http::Session>(settings, pool_);
    if (credential_) {
        s->add_secret(credential_->password);
        s->add_secret(base64_encode(credential_->user + ":" + credential_->password));
    }
    return s;
}

void Endpoint::authorize(http::Transfer& transfer) const {
    std::lock_guard lock(mutex_);
    if (!authorization_.empty()) {
        transfer.headers.emplace_back("Authorization", authorization_);
    }
}

bool Endpoint::authenticate(http::Session& session, const http::Response& response, const std::string& used) {
    std::lock_guard lock(mutex_);
    if (authorization_ != used) {
        return true;  // another thread already answered this challenge
    }
    auto challenges = parse_challenges(response.header("www-authenticate"));
    for (const auto& c : challenges) {
        if (c.scheme == "bearer") {
            auto realm = c.params.find("realm");
            if (realm == c.params.end() ||
                !(realm->second.starts_with("https://") || realm->second.starts_with("http://"))) {
                throw RemoteError("registry", fmt::format("{}: the Bearer challenge names no usable realm", registry_));
            }
            http::Fields query;
            if (auto service = c.params.find("service"); service != c.params.end()) {
                query.emplace_back("service", service->second);
            }
            std::vector<std::string> scopes = scopes_;
            if (auto scope = c.params.find("scope");
                scope != c.params.end() && std::find(scopes.begin(), scopes.end(), scope->second) == scopes.end()) {
                scopes.push_back(scope->second);
            }
            for (const auto& s : scopes) {
                query.emplace_back("scope", s);
            }
            http::Transfer t;
            t.url = realm->second + (realm->second.find('?') == std::string::npos ? http::query(query)
                                                                                  : "&" + http::query(query).substr(1));
            t.limit = 1U << 20U;
            if (credential_) {
                t.headers.emplace_back("Authorization",
                                       "Basic " + base64_encode(credential_->user + ":" + credential_->password));
            }
            auto out = session.perform(t);
            if (!out.transport_ok() || out.response.status != 200) {
                fail(session, t, out);
            }
            auto doc = nlohmann::json::parse(out.response.body, nullptr, false);
            std::string token;
            for (const char* key : {"token", "access_token"}) {
                if (doc.is_object() && doc.contains(key) && doc[key].is_string() && token.empty()) {
                    token = doc[key].get<std::string>();
                }
            }
            if (token.empty()) {
                throw RemoteError("registry", fmt::format("{}: the token server answered no token", registry_));
            }
            session.add_secret(token);
            std::string next = "Bearer " + token;
            if (next == used) {
                return false;
            }
            authorization_ = next;
            return true;
        }
        if (c.scheme == "basic" && credential_) {
            std::string next = "Basic " + base64_encode(credential_->user + ":" + credential_->password);
            if (next == used) {
                return false;  // the registry refused these credentials
            }
            authorization_ = next;
            return true;
        }
    }
    return false;
}

void Endpoint::back_off(int n, const http::Outcome& outcome) const {
    auto delay = options_.backoff;
    for (int i = 1; i < n && delay < options_.backoff_cap; ++i) {
        delay *= 2;
    }
    delay = std::min(delay, options_.backoff_cap);
    if (outcome.transport_ok()) {
        delay = http::retry_delay(outcome.response, delay, options_.backoff_cap);
    }
    log::debug(fmt::format("{}: waiting {} ms before attempt {}", registry_, delay.count(), n + 1));
    http::sleep_interruptibly(delay);
}

http::Outcome Endpoint::send(http::Session& session, const std::function<http::Transfer()>& make, bool retry,
                             int* attempts) {
    int auth_rounds = 0;
    for (int n = 1;; ++n) {
        http::Transfer t = make();
        std::string used;
        {
            std::lock_guard lock(mutex_);
            used = authorization_;
        }
        if (!used.empty()) {
            t.headers.emplace_back("Authorization", used);
        }
        auto out = session.perform(t);
        if (attempts) {
            ++*attempts;
        }
        log::debug(fmt::format("{}: {}", session.describe(t),
                               out.transport_ok() ? std::to_string(out.response.status) : out.error));
        if (out.transport_ok() && out.response.status == 401 && auth_rounds < 2 &&
            !out.response.header("www-authenticate").empty()) {
            ++auth_rounds;
            if (authenticate(session, out.response, used)) {
                --n;  // an answered challenge is not a failed attempt
                continue;
            }
        }
        if (!retry || !out.transient() || n > options_.retries) {
            return out;
        }
        back_off(n, out);
    }
}

void Endpoint::fail(const http::Session& session, const http::Transfer& transfer, const http::Outcome& out) const {
    if (!out.transport_ok()) {
        throw RemoteError("registry", fmt::format("{}: {}", session.describe(transfer), out.error));
    }
    std::string message = fmt::format("{}: {}", session.describe(transfer), out.response.status);
    std::string detail = registry_message(out.response.body);
    if (out.response.status == 401) {
        message += " Unauthorized";
        if (detail.empty()) {
            detail = "the credentials were refused";
        }
    }
    if (!detail.empty()) {
        message += ": " + session.redact(detail);
    }
    throw RemoteError("registry", message, static_cast<int>(out.response.status));
}

}  // namespace flr::registry
