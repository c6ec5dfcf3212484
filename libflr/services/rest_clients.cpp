// The Bugzilla and Bodhi REST clients: both small, both plain JSON over HTTP.
#include "services/rest_decode.hpp"
#include "services/settings.hpp"

#include <flr/config.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr {

namespace {

template <class F>
auto decode(const char* service, const char* what, const services::Json& j, F f) -> decltype(f(j)) {
    try {
        return f(j);
    } catch (const services::Shape& e) {
        throw RemoteError(service, fmt::format("unexpected answer ({}): {}", what, e.what()));
    }
}

const http::Fields json_accept{{"Accept", "application/json"}};

}  // namespace

namespace bugzilla {

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
        http::Request r{"GET", fmt::format("{}/bug/{}{}", url_, id, query(q)), json_accept, {}, {}};
        auto response = http_.send(r);
        if (response.status == 404) {
            return std::nullopt;  // error 101: "Bug #N does not exist."
        }
        if (response.status >= 300) {
            http_.fail(r, response);
        }
        auto j = services::Json::parse(response.body, nullptr, false);
        return decode("bugzilla", "a bug", j, bug_from_json);
    }

    std::int64_t add_comment(std::int64_t id, const std::string& text, bool is_private) override {
        auto h = json_accept;
        h.emplace_back("Content-Type", "application/json");
        services::Json body{{"comment", text}, {"is_private", is_private}};
        auto j =
            http_.send_json({"POST", fmt::format("{}/bug/{}/comment{}", url_, id, query({})), h, body.dump(), false});
        return decode("bugzilla", "a new comment", j, [](const services::Json& v) { return services::num(v, "id"); });
    }

private:
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

}  // namespace bugzilla

namespace bodhi {

Client::~Client() = default;

namespace {

class RestClient final : public Client {
public:
    explicit RestClient(services::Endpoint endpoint) : url_(endpoint.url), http_(endpoint.http) {}

    std::vector<Update> updates(const UpdateQuery& q) override {
        std::vector<Update> out;
        for (int page = 1; page <= std::max(q.max_pages, 1); ++page) {
            auto j = http_.send_json({"GET", url_ + "/updates/" + http::query(fields(q, page)), json_accept, {}, {}});
            auto result = decode("bodhi", "an update list", j, update_page_from_json);
            std::move(result.updates.begin(), result.updates.end(), std::back_inserter(out));
            if (result.page >= result.pages) {
                return out;
            }
        }
        log::warning(fmt::format("bodhi: stopped listing updates after {} pages", q.max_pages));
        return out;
    }

private:
    static http::Fields fields(const UpdateQuery& q, int page) {
        http::Fields f;
        for (const auto& r : q.releases) {
            f.emplace_back("releases", r);
        }
        for (const auto& p : q.packages) {
            f.emplace_back("packages", p);
        }
        if (!q.status.empty()) {
            f.emplace_back("status", q.status);
        }
        if (!q.pushed_since.empty()) {
            f.emplace_back("pushed_since", q.pushed_since);
        }
        f.emplace_back("rows_per_page", std::to_string(q.rows_per_page));
        f.emplace_back("page", std::to_string(page));
        return f;
    }

    std::string url_;
    http::Client http_;
};

}  // namespace

std::unique_ptr<Client> connect(const Config& config) {
    return std::make_unique<RestClient>(services::endpoint(config, "bodhi", {"url"}));
}

}  // namespace bodhi

}  // namespace flr
