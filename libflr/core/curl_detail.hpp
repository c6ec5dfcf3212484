// Private: the libcurl pieces core/http and core/http_stream share.
#pragma once

#include "core/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <new>
#include <string>
#include <string_view>

namespace flr::http {

// curl_global_init, once per process.
void global_init();

// CURLOPT_HEADERFUNCTION: collects headers (names lower-cased) into the Fields at `user`;
// a status line starts a new response (after 100 Continue or a redirect).
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user);

// A transport failure worth another try: the connection or the exchange broke, not the
// request. Both clients retry on these; the streaming one also on what only it meets.
inline bool retryable_transport(int code) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
            return true;
        default:
            return false;
    }
}

// An owned curl_slist.
struct SList {
    curl_slist* list = nullptr;
    SList() = default;
    SList(const SList&) = delete;
    SList& operator=(const SList&) = delete;
    ~SList() { curl_slist_free_all(list); }
    void add(const std::string& line) {
        curl_slist* next = curl_slist_append(list, line.c_str());
        if (!next) {
            throw std::bad_alloc();
        }
        list = next;
    }
};

// Reset `c` for a new request and set what every request has: the error buffer, URL,
// protocols, user agent, connect timeout, TLS verification, CA file, client certificate
// and `headers` (with "Expect:" added) kept alive in `list`.
void prepare(CURL* c, const Settings& settings, const std::string& url, const Fields& headers, SList& list,
             char* errbuf);

}  // namespace flr::http
