#include "core/http_stream.hpp"

#include "core/curl_detail.hpp"

#include <flr/error.hpp>
#include <flr/interrupt.hpp>
#include <flr/version.hpp>

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>

namespace flr::http {
namespace {

struct Collect {
    const Transfer* transfer;
    Response* response;
    std::uint64_t received = 0;
    bool too_large = false;
    std::exception_ptr failure;
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
    auto* c = static_cast<Collect*>(user);
    std::size_t n = size * count;
    if (c->received + n > c->transfer->limit) {
        c->too_large = true;
        return 0;
    }
    c->received += n;
    try {
        if (c->transfer->writer) {
            c->transfer->writer(data, n);
        } else {
            c->response->body.append(data, n);
        }
    } catch (...) {
        c->failure = std::current_exception();
        return 0;
    }
    return n;
}

struct Feed {
    const Transfer* transfer;
    std::uint64_t sent = 0;
    std::exception_ptr failure;
};

std::size_t on_read(char* out, std::size_t size, std::size_t count, void* user) {
    auto* f = static_cast<Feed*>(user);
    try {
        std::size_t n = f->transfer->reader(out, size * count);
        f->sent += n;
        return n;
    } catch (...) {
        f->failure = std::current_exception();
        return CURL_READFUNC_ABORT;
    }
}

int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return interrupted() ? 1 : 0;
}

}  // namespace

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw Error("cannot initialise libcurl");
        }
    });
}

void prepare(CURL* c, const Settings& settings, const std::string& url, const Fields& headers, SList& list,
             char* errbuf) {
    curl_easy_reset(c);
    for (const auto& [name, value] : headers) {
        list.add(name + ": " + value);
    }
    list.add("Expect:");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, (std::string("flr/") + version()).c_str());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!settings.ca_bundle.empty()) {
        curl_easy_setopt(c, CURLOPT_CAINFO, settings.ca_bundle.c_str());
    }
    if (!settings.client_cert.empty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, settings.client_cert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY, settings.client_cert.c_str());
    }
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* headers = static_cast<Fields*>(user);
    std::string_view line(data, size * count);
    auto colon = line.find(':');
    if (line.starts_with("HTTP/")) {
        headers->clear();
    } else if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        std::string_view value = line.substr(colon + 1);
        auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; };
        while (!value.empty() && space(value.front())) {
            value.remove_prefix(1);
        }
        while (!value.empty() && space(value.back())) {
            value.remove_suffix(1);
        }
        headers->emplace_back(std::move(name), std::string(value));
    }
    return size * count;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
        throw Error("cannot initialise SHA-256");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Sha256::update(const void* data, std::size_t size) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &length);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out.push_back(digits[digest[i] >> 4U]);
        out.push_back(digits[digest[i] & 0xFU]);
    }
    return out;
}

std::string Sha256::hex_of(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex();
}

bool Outcome::transient() const noexcept {
    if (!transport_ok()) {
        // A reused connection can also die under a streamed body (SEND_FAIL_REWIND), and a
        // registry behind a proxy can drop the TLS handshake.
        return retryable_transport(curl_code) || curl_code == CURLE_SSL_CONNECT_ERROR ||
               curl_code == CURLE_SEND_FAIL_REWIND;
    }
    long s = response.status;
    return s == 408 || s == 429 || s >= 500;
}

struct Pool::Impl {
    CURLSH* share = nullptr;
    std::mutex locks[CURL_LOCK_DATA_LAST];
};

namespace {
void share_lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Pool::Impl*>(user)->locks[data].lock();
}
void share_unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Pool::Impl*>(user)->locks[data].unlock();
}
}  // namespace

Pool::Pool() : impl_(std::make_unique<Impl>()) {
    global_init();
    impl_->share = curl_share_init();
    if (!impl_->share) {
        throw Error("cannot create a libcurl share");
    }
    curl_share_setopt(impl_->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(impl_->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(impl_->share, CURLSHOPT_USERDATA, impl_.get());
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

Pool::~Pool() {
    curl_share_cleanup(impl_->share);
}

struct Session::Handle {
    CURL* curl = nullptr;
    ~Handle() {
        if (curl) {
            curl_easy_cleanup(curl);
        }
    }
};

Session::Session(Settings settings, std::shared_ptr<Pool> pool)
    : settings_(std::move(settings)), pool_(std::move(pool)), handle_(std::make_unique<Handle>()) {
    global_init();
    handle_->curl = curl_easy_init();
    if (!handle_->curl) {
        throw Error("cannot create a libcurl handle");
    }
}

// The handle goes before the pool it may share connections with.
Session::~Session() {
    handle_.reset();
}

void Session::add_secret(std::string value) {
    if (!value.empty()) {
        secrets_.push_back(std::move(value));
    }
}

std::string Session::describe(const Transfer& transfer) const {
    return redact(transfer.method + " " + transfer.url);
}

Outcome Session::perform(const Transfer& t) {
    throw_if_interrupted();
    CURL* c = handle_->curl;
    Outcome out;
    SList headers;
    char errbuf[CURL_ERROR_SIZE] = {};
    Collect collect{&t, &out.response, 0, false, nullptr};
    Feed feed{&t, 0, nullptr};
    prepare(c, settings_, t.url, t.headers, headers, errbuf);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (!t.reader && !t.writer) {
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    }
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(
        c, CURLOPT_LOW_SPEED_TIME,
        static_cast<long>(std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(t.stall).count())));
    if (pool_) {
        curl_easy_setopt(c, CURLOPT_SHARE, pool_->impl().share);
    }
    if (t.follow.value_or(t.method == "GET" || t.method == "HEAD")) {
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    }
    if (t.method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (t.reader) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, t.method.c_str());
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &feed);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.body_size));
    } else if (t.method != "GET" || !t.body.empty()) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, t.method.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, t.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &collect);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.response.headers);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);

    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_SHARE, nullptr);
    if (feed.failure) {
        std::rethrow_exception(feed.failure);
    }
    if (collect.failure) {
        std::rethrow_exception(collect.failure);
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        throw Interrupted();
    }
    out.sent = feed.sent;
    out.too_large = collect.too_large;
    out.curl_code = rc;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.response.status);
        char* type = nullptr;
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
        out.response.content_type = type ? type : "";
    } else if (collect.too_large) {
        out.error = fmt::format("the answer is larger than {} bytes", t.limit);
    } else {
        out.error = redact(errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    return out;
}

std::chrono::milliseconds retry_delay(const Response& response, std::chrono::milliseconds fallback,
                                      std::chrono::milliseconds cap) {
    std::string value = response.header("retry-after");
    if (value.empty() || value.size() > 6 ||
        !std::all_of(value.begin(), value.end(), [](unsigned char ch) { return std::isdigit(ch); })) {
        return std::min(fallback, cap);
    }
    return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stol(value)), cap);
}

void sleep_interruptibly(std::chrono::milliseconds delay) {
    auto end = std::chrono::steady_clock::now() + delay;
    for (auto now = std::chrono::steady_clock::now(); now < end; now = std::chrono::steady_clock::now()) {
        throw_if_interrupted();
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(50), end - now));
    }
    throw_if_interrupted();
}

std::string resolve(const std::string& base, const std::string& location) {
    if (location.starts_with("http://") || location.starts_with("https://")) {
        return location;
    }
    auto scheme = base.find("://");
    auto path = scheme == std::string::npos ? std::string::npos : base.find('/', scheme + 3);
    std::string origin = path == std::string::npos ? base : base.substr(0, path);
    return location.starts_with('/') ? origin + location : origin + "/" + location;
}

}  // namespace flr::http
