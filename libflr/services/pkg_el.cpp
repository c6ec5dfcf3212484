// The client of the pkg_el{N}.json lists.
#include "services/pkg_el_decode.hpp"
#include "services/rest.hpp"
#include "services/settings.hpp"

#include <flr/config.hpp>

#include <fmt/format.h>

namespace flr::pkg_el {

Client::~Client() = default;

namespace {

class HttpClient final : public Client {
public:
    explicit HttpClient(services::Endpoint endpoint) : url_(endpoint.url), http_(endpoint.http) {}

    std::optional<Release> release(int major) override {
        auto response = services::send_unless_absent(
            http_, {"GET", fmt::format("{}/pkg_el{}.json", url_, major), {{"Accept", "application/json"}}, {}, {}});
        if (!response) {
            return std::nullopt;
        }
        return services::decode("rhel_packages", "a package list",
                                services::Json::parse(response->body, nullptr, false), release_from_json);
    }

private:
    std::string url_;
    http::Client http_;
};

}  // namespace

std::unique_ptr<Client> connect(const Config& config) {
    return std::make_unique<HttpClient>(services::endpoint(config, "rhel_packages", {"url"}));
}

}  // namespace flr::pkg_el
