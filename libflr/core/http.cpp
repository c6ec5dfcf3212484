#include "core/http.hpp"

#include "core/curl_detail.hpp"
#include "core/http_stream.hpp"
#include "core/text.hpp"

#include <flr/error.hpp>
#include <flr/interrupt.hpp>
#include <flr/log.hpp>
#include <flr/version.hpp>

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <regex>
#include <thread>

namespace flr::http {
namespace {

constexpr std::size_t max_body = 64U << 20U;

bool default_idempotent(const std::string& method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

std::string reason(long status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "";
    }
}

// One line, printable, at most `limit` characters.
std::string excerpt(std::string_view text, std::size_t limit = 200) {
    std::string out;
    for (char c : text) {
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    std::size_t n = size * count;
    if (body->size() + n > max_body) {
        return 0;  // makes curl fail with CURLE_WRITE_ERROR
    }
    body->append(data, n);
    return n;
}

int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return interrupted() ? 1 : 0;
}

}  // namespace

struct Client::Handle {
    CURL* curl = nullptr;
    ~Handle() {
        if (curl) {
            curl_easy_cleanup(curl);
        }
    }
};

std::string Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

std::string query(const Fields& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        out += out.empty() ? '?' : '&';
        out += text::percent_encode(name) + "=" + text::percent_encode(value);
    }
    return out;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    // Credential-bearing parameters by name, whatever their value: Koji's session-id and
    // session-key, tokens, API keys, passwords.
    static const std::regex param(
        R"(([?&;](?:session-id|session-key|session|token|access_token|api_key|Bugzilla_api_key|password|)"
        R"(Bugzilla_password|key|secret)=)[^&;\s"'<>]*)",
        std::regex::icase);
    text = std::regex_replace(text, param, "$1<redacted>");
    for (const auto& secret : secrets) {
        for (const auto& form : {secret, text::percent_encode(secret)}) {
            if (form.empty()) {
                continue;
            }
            for (auto pos = text.find(form); pos != std::string::npos; pos = text.find(form, pos)) {
                text.replace(pos, form.size(), "<redacted>");
            }
        }
    }
    return text;
}

Client::Client(Settings settings) : settings_(std::move(settings)), handle_(std::make_unique<Handle>()) {
    global_init();
    handle_->curl = curl_easy_init();
    if (!handle_->curl) {
        throw Error("cannot create a libcurl handle");
    }
}

Client::~Client() = default;

void Client::add_secret(const Secret& secret) {
    add_secret(secret.reveal());
}

void Client::add_secret(std::string value) {
    if (!value.empty()) {
        secrets_.push_back(std::move(value));
    }
}

std::string Client::describe(const Request& request) const {
    return redact(request.method + " " + request.url);
}

Response Client::attempt(const Request& request, int& curl_code, std::string& curl_error) {
    CURL* c = handle_->curl;
    Response response;
    SList headers;
    char errbuf[CURL_ERROR_SIZE] = {};
    prepare(c, settings_, request.url, request.headers, headers, errbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    if (request.method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET" || !request.body.empty()) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);

    CURLcode rc = curl_easy_perform(c);
    curl_code = rc;
    curl_error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
        char* type = nullptr;
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
        response.content_type = type ? type : "";
    }
    return response;
}

Response Client::send(const Request& request) {
    bool idempotent = request.idempotent.value_or(default_idempotent(request.method));
    int attempts = idempotent ? std::max(settings_.retries, 0) + 1 : 1;
    auto delay = settings_.backoff;
    for (int n = 1;; ++n) {
        throw_if_interrupted();
        int code = 0;
        std::string error;
        Response response = attempt(request, code, error);
        if (code == CURLE_ABORTED_BY_CALLBACK) {
            throw Interrupted();
        }
        bool transient =
            code != CURLE_OK ? retryable_transport(code) : response.status == 429 || response.status >= 500;
        log::debug(code != CURLE_OK
                       ? fmt::format("{}: {} (attempt {}/{})", describe(request), redact(error), n, attempts)
                       : fmt::format("{}: {} (attempt {}/{})", describe(request), response.status, n, attempts));
        if (code == CURLE_OK && (!transient || n >= attempts)) {
            return response;
        }
        if (code != CURLE_OK && (!transient || n >= attempts)) {
            std::string tries = n > 1 ? fmt::format(" (after {} attempts)", n) : "";
            throw RemoteError(settings_.service, fmt::format("{}: {}{}", describe(request), redact(error), tries));
        }
        auto wait = code == CURLE_OK ? retry_delay(response, delay, settings_.backoff_cap) : delay;
        sleep_interruptibly(wait);
        delay = std::min(delay * 2, settings_.backoff_cap);
    }
}

void Client::fail(const Request& request, const Response& response) const {
    std::string detail;
    if (settings_.error_message &&
        (response.content_type.find("json") != std::string::npos || response.body.starts_with("{"))) {
        auto body = nlohmann::json::parse(response.body, nullptr, false);
        if (!body.is_discarded()) {
            detail = settings_.error_message(body);
        }
    }
    if (detail.empty() && response.content_type.starts_with("text/plain")) {
        detail = excerpt(response.body);
    }
    std::string status = fmt::format("{} {}", response.status, reason(response.status));
    while (status.back() == ' ') {
        status.pop_back();
    }
    std::string message = fmt::format("{}: {}", describe(request), status);
    if (!detail.empty()) {
        message += ": " + excerpt(redact(detail), 400);
    }
    throw RemoteError(settings_.service, message, static_cast<int>(response.status));
}

nlohmann::json Client::send_json(const Request& request) {
    Response response = send(request);
    if (response.status >= 400 || response.status < 200) {
        fail(request, response);
    }
    if (response.body.empty()) {
        return nullptr;
    }
    auto value = nlohmann::json::parse(response.body, nullptr, false);
    if (value.is_discarded()) {
        throw RemoteError(settings_.service,
                          fmt::format("{}: {}: the answer is not JSON: {}", describe(request), response.status,
                                      excerpt(redact(response.body), 80)),
                          static_cast<int>(response.status));
    }
    return value;
}

}  // namespace flr::http
