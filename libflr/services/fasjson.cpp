// The FASJSON client.
#include "core/text.hpp"
#include "services/fasjson_decode.hpp"
#include "services/rest.hpp"
#include "services/settings.hpp"

#include <flr/config.hpp>

namespace flr::fasjson {

Client::~Client() = default;

namespace {

class RestClient final : public Client {
public:
    explicit RestClient(services::Endpoint endpoint) : url_(endpoint.url + "/v1"), http_(endpoint.http) {}

    std::optional<User> user(const std::string& name) override {
        auto j = get("/users/" + text::percent_encode(name) + "/");
        if (!j) {
            return std::nullopt;
        }
        return services::decode("fasjson", "a user", *j, user_from_json);
    }
    std::vector<std::string> groups(const std::string& name) override {
        auto j = get("/users/" + text::percent_encode(name) + "/groups/");
        return j ? services::decode("fasjson", "a group list", *j, groups_from_json) : std::vector<std::string>{};
    }
    std::vector<std::string> members(const std::string& group) override {
        auto j = get("/groups/" + text::percent_encode(group) + "/members/");
        return j ? services::decode("fasjson", "a member list", *j, members_from_json) : std::vector<std::string>{};
    }

private:
    std::optional<services::Json> get(const std::string& path) {
        auto response =
            services::send_unless_absent(http_, {"GET", url_ + path, {{"Accept", "application/json"}}, {}, {}});
        if (!response) {
            return std::nullopt;
        }
        return services::Json::parse(response->body, nullptr, false);
    }

    std::string url_;
    http::Client http_;
};

}  // namespace

std::unique_ptr<Client> connect(const Config& config) {
    return std::make_unique<RestClient>(services::endpoint(config, "fasjson", {"url"}));
}

}  // namespace flr::fasjson
