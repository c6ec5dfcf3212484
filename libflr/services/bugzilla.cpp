// The Bugzilla REST client.
#include "services/bugzilla_decode.hpp"
#include "services/rest.hpp"
#include "services/settings.hpp"

#include <flr/config.hpp>

#include <fmt/format.h>

namespace flr::bugzilla {

Client::~Client() = default;

namespace {

class RestClient final : public Client {
public:
    RestClient(services::Endpoint endpoint, std::optional<Secret> key)
        : url_(endpoint.url + "/rest"), http_(endpoint.http), key_(std::move(key)) {
        if (key_) {
            http_.add_secret(*key_);
        }
    }

    std::optional<Bug> bug(std::int64_t id) override {
        http::Fields q{{"include_fields",
                        "id,summary,product,component,status,resolution,creator,assigned_to,"
                        "flags,creation_time,last_change_time"}};
        // A missing bug is a 404 (error 101: "Bug #N does not exist.").
        auto response = services::send_unless_absent(
            http_, {"GET", fmt::format("{}/bug/{}{}", url_, id, query(q)), accept(), {}, {}});
        if (!response) {
            return std::nullopt;
        }
        return services::decode("bugzilla", "a bug", services::Json::parse(response->body, nullptr, false),
                                bug_from_json);
    }

    std::vector<std::string> comments(std::int64_t id) override {
        auto j = http_.send_json({"GET", fmt::format("{}/bug/{}/comment{}", url_, id, query({})), accept(), {}, {}});
        return services::decode("bugzilla", "a comment list", j,
                                [id](const services::Json& v) { return comments_from_json(v, id); });
    }

    std::int64_t add_comment(std::int64_t id, const std::string& text, bool is_private) override {
        auto h = accept();
        h.emplace_back("Content-Type", "application/json");
        services::Json body{{"comment", text}, {"is_private", is_private}};
        auto j =
            http_.send_json({"POST", fmt::format("{}/bug/{}/comment{}", url_, id, query({})), h, body.dump(), false});
        return services::decode("bugzilla", "a new comment", j,
                                [](const services::Json& v) { return services::num(v, "id"); });
    }

private:
    static http::Fields accept() { return {{"Accept", "application/json"}}; }

    // The API key travels as the Bugzilla_api_key parameter, which every instance accepts.
    std::string query(http::Fields fields) const {
        if (key_) {
            fields.emplace_back("Bugzilla_api_key", key_->reveal());
        }
        return http::query(fields);
    }

    std::string url_;
    http::Client http_;
    std::optional<Secret> key_;
};

}  // namespace

std::unique_ptr<Client> connect(const Config& config) {
    auto endpoint = services::endpoint(config, "bugzilla", {"url", "api_key_file"});
    auto key = services::secret(config, endpoint, "api_key_file");
    return std::make_unique<RestClient>(std::move(endpoint), std::move(key));
}

}  // namespace flr::bugzilla
