// Private: what the JSON-over-HTTP clients in services/ share: the services' own error
// messages, "404 means absent", pagination, and decoding answers into flr types.
#pragma once

#include "core/http.hpp"
#include "services/decode.hpp"

#include <fmt/format.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace flr::services {

// The service's own error message from a JSON error body: Pagure `error`/`error_code`,
// a registry's `errors[]`, Bugzilla's `message` (with `code`), Bodhi's
// `errors[].description`. Empty when none is recognised. Every endpoint's
// http::Settings::error_message.
std::string error_message(const Json& body);

// The answer to `request`, or nullopt when the service answers 404: the thing asked
// for does not exist. Any other status from 300 up throws as http::Client::send_json does.
std::optional<http::Response> send_unless_absent(http::Client& client, const http::Request& request);

// Reads pages 1, 2, ... with `read_page(n)`, which returns whether more pages follow,
// until none do or `max_pages` (at least 1) were read. Stopping early logs a warning,
// "<stopped> after N pages".
void paginate(int max_pages, std::string_view stopped, const std::function<bool(int)>& read_page);

// f(j), with a Shape (an answer not shaped as documented) turned into a RemoteError
// naming the service and what was expected.
template <class F>
auto decode(const std::string& service, const char* what, const Json& j, F f) -> decltype(f(j)) {
    try {
        return f(j);
    } catch (const Shape& e) {
        throw RemoteError(service, fmt::format("unexpected answer ({}): {}", what, e.what()));
    }
}

}  // namespace flr::services
