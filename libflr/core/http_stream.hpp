// Private: streaming HTTP transfers over libcurl, for bodies too large to hold in memory.
// Request bodies come from a string or a reader callback, response bodies go to a string
// (up to a per-transfer limit) or a writer callback. Redirects are followed for GET and
// HEAD. Sessions made from one Pool share connections, DNS answers and TLS sessions;
// each Session keeps its own curl handle, so one Session per thread. A Session makes one
// attempt per perform() and reports transport failures in the Outcome: the caller decides
// what to retry (an upload resumes rather than repeats). Sha256 hashes while streaming.
#pragma once

#include "core/http.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace flr::http {

// SHA-256 over a stream of bytes (OpenSSL EVP).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // The lower-case hex digest; the object is spent afterwards.
    std::string hex();
    static std::string hex_of(std::string_view data);

private:
    void* ctx_;
};

// Fills at most `size` bytes at `out` and returns how many; 0 at the end of the body.
using Reader = std::function<std::size_t(char* out, std::size_t size)>;
// Takes the next piece of the response body; throwing aborts the transfer.
using Writer = std::function<void(const char* data, std::size_t size)>;

struct Transfer {
    std::string method = "GET";
    std::string url;
    Fields headers;
    std::string body;                    // the request body, unless `reader` is set
    Reader reader;                       // streams the request body
    std::uint64_t body_size = 0;         // bytes `reader` gives (sent as Content-Length)
    Writer writer;                       // streams the response body; empty: collect it
    std::uint64_t limit = 64ULL << 20U;  // most response-body bytes accepted
    std::optional<bool> follow;          // follow redirects; default: GET and HEAD only
    // A transfer slower than 1 KiB/s for this long fails (a whole-transfer timeout
    // would cut big blobs); collected bodies also keep Settings::timeout.
    std::chrono::milliseconds stall = std::chrono::seconds(60);
};

struct Outcome {
    Response response;  // valid when transport_ok()
    int curl_code = 0;  // 0: the exchange completed (any status)
    std::string error;  // the transport error, secrets redacted
    bool too_large = false;
    std::uint64_t sent = 0;  // request-body bytes handed to curl
    bool transport_ok() const noexcept { return curl_code == 0; }
    // Worth another attempt: a connection error, 408, 429 or 5xx.
    bool transient() const noexcept;
};

// Connections, DNS answers and TLS sessions shared between Sessions (thread-safe).
class Pool {
public:
    Pool();
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    struct Impl;
    Impl& impl() noexcept { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

class Session {
public:
    explicit Session(Settings settings, std::shared_ptr<Pool> pool = nullptr);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const Settings& settings() const noexcept { return settings_; }
    void add_secret(std::string value);
    std::string redact(std::string text) const { return http::redact(std::move(text), secrets_); }

    // One attempt. Transport failures come back in the Outcome; an interrupt throws.
    Outcome perform(const Transfer& transfer);
    // "METHOD URL" with secrets redacted, for messages.
    std::string describe(const Transfer& transfer) const;

private:
    struct Handle;
    Settings settings_;
    std::shared_ptr<Pool> pool_;
    std::vector<std::string> secrets_;
    std::unique_ptr<Handle> handle_;
};

// How long to wait before retrying `response`: its Retry-After (seconds) if present,
// else `fallback`; never more than `cap`.
std::chrono::milliseconds retry_delay(const Response& response, std::chrono::milliseconds fallback,
                                      std::chrono::milliseconds cap);
// Sleep, waking early (with Interrupted) on SIGINT/SIGTERM.
void sleep_interruptibly(std::chrono::milliseconds delay);
// Resolve `location` (absolute, or relative to the scheme and host of `base`).
std::string resolve(const std::string& base, const std::string& location);

}  // namespace flr::http
