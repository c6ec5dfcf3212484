#include "services/rest.hpp"

#include <flr/log.hpp>

#include <algorithm>

namespace flr::services {

std::string error_message(const Json& body) {
    if (!body.is_object()) {
        return {};
    }
    auto str = [](const Json& v) { return v.is_string() ? v.get<std::string>() : std::string(); };
    if (auto e = body.find("error"); e != body.end() && e->is_string()) {
        std::string code = body.contains("error_code") ? str(body["error_code"]) : "";
        return code.empty() ? str(*e) : fmt::format("{} ({})", str(*e), code);
    }
    if (auto m = body.find("message"); m != body.end() && m->is_string()) {
        auto code = body.find("code");
        return code != body.end() && code->is_number_integer()
                   ? fmt::format("{} (code {})", str(*m), code->get<long long>())
                   : str(*m);
    }
    if (auto errors = body.find("errors"); errors != body.end() && errors->is_array()) {
        std::string out;
        for (const auto& e : *errors) {
            std::string one = e.is_string()               ? str(e)
                              : !e.is_object()            ? ""
                              : e.contains("code")        ? fmt::format("{}: {}", str(e["code"]),
                                                                 e.contains("message") ? str(e["message"]) : "")
                              : e.contains("description") ? str(e["description"])
                                                          : "";
            if (!one.empty()) {
                out += (out.empty() ? "" : "; ") + one;
            }
        }
        return out;
    }
    return {};
}

std::optional<http::Response> send_unless_absent(http::Client& client, const http::Request& request) {
    auto response = client.send(request);
    if (response.status == 404) {
        return std::nullopt;
    }
    if (response.status >= 300) {
        client.fail(request, response);
    }
    return response;
}

void paginate(int max_pages, std::string_view stopped, const std::function<bool(int)>& read_page) {
    for (int page = 1; page <= std::max(max_pages, 1); ++page) {
        if (!read_page(page)) {
            return;
        }
    }
    log::warning(fmt::format("{} after {} pages", stopped, max_pages));
}

}  // namespace flr::services
