// Private: an HTTP client over libcurl for the web services flr talks to.
// Every request has a connect and a total timeout; idempotent requests are retried
// with capped exponential backoff on connection errors, 429 and 5xx; TLS is always
// verified. Secret values registered with a Client never appear in its log lines
// or error messages. libcurl is initialised when the first Client is made.
#pragma once

#include <flr/secret.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flr::http {

using namespace std::chrono_literals;

struct Settings {
    std::string service;      // "pagure", "koji", ...: names the service in errors
    std::string ca_bundle;    // CA file to verify the server with; empty: the system's
    std::string client_cert;  // PEM holding a client certificate and its key (Koji)
    std::chrono::milliseconds connect_timeout = 10s;
    std::chrono::milliseconds timeout = 60s;    // the whole request, per attempt
    int retries = 3;                            // extra attempts for idempotent requests
    std::chrono::milliseconds backoff = 500ms;  // doubled after each attempt
    std::chrono::milliseconds backoff_cap = 8s;
    // The service's own message out of a JSON error body ("" when it holds none). This
    // layer knows no service's error shape; the service clients supply it.
    std::function<std::string(const nlohmann::json&)> error_message;
};

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method = "GET";
    std::string url;
    Fields headers;
    std::string body;
    // Defaults to true for GET/HEAD/PUT/DELETE/OPTIONS; set it for an RPC that only reads.
    std::optional<bool> idempotent;
};

struct Response {
    long status = 0;
    std::string body;
    std::string content_type;
    Fields headers;  // names lower-cased
    std::string header(std::string_view name) const;
};

// "?a=1&b=2" (empty string for no fields), percent-encoded (core/text.hpp)
std::string query(const Fields& fields);
// Replace every secret value in `text` with "<redacted>".
std::string redact(std::string text, const std::vector<std::string>& secrets);

class Client {
public:
    explicit Client(Settings settings);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const Settings& settings() const noexcept { return settings_; }
    // Values never to show in logs or errors (a token, an API key, a session key).
    void add_secret(const Secret& secret);
    void add_secret(std::string value);
    std::string redact(std::string text) const { return http::redact(std::move(text), secrets_); }

    // Send with retries. Throws RemoteError on a transport failure; any status is returned.
    Response send(const Request& request);
    // Send and decode a JSON answer; a status >= 400 or a body that is not JSON throws
    // RemoteError naming method, URL and status and quoting the service's own message
    // (Settings::error_message).
    nlohmann::json send_json(const Request& request);
    // The RemoteError send_json would throw for this response.
    [[noreturn]] void fail(const Request& request, const Response& response) const;

private:
    struct Handle;
    Response attempt(const Request& request, int& curl_code, std::string& curl_error);
    std::string describe(const Request& request) const;

    Settings settings_;
    std::vector<std::string> secrets_;
    std::unique_ptr<Handle> handle_;
};

}  // namespace flr::http
