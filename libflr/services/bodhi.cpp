// The Bodhi REST client (read-only).
#include "services/bodhi_decode.hpp"
#include "services/rest.hpp"
#include "services/settings.hpp"

#include <flr/config.hpp>

#include <fmt/format.h>

namespace flr::bodhi {

Client::~Client() = default;

namespace {

class RestClient final : public Client {
public:
    explicit RestClient(services::Endpoint endpoint) : url_(endpoint.url), http_(endpoint.http) {}

    std::vector<Update> updates(const UpdateQuery& q) override {
        std::vector<Update> out;
        services::paginate(q.max_pages, "bodhi: stopped listing updates", [&](int page) {
            auto j = http_.send_json(
                {"GET", url_ + "/updates/" + http::query(fields(q, page)), {{"Accept", "application/json"}}, {}, {}});
            auto result = services::decode("bodhi", "an update list", j, update_page_from_json);
            std::move(result.updates.begin(), result.updates.end(), std::back_inserter(out));
            return result.page < result.pages;
        });
        return out;
    }

    std::vector<Release> releases() override {
        std::vector<Release> out;
        services::paginate(100, "bodhi: stopped listing releases", [&](int page) {
            http::Fields f{{"exclude_archived", "true"}, {"rows_per_page", "100"}, {"page", std::to_string(page)}};
            auto j = http_.send_json(
                {"GET", url_ + "/releases/" + http::query(f), {{"Accept", "application/json"}}, {}, {}});
            auto result = services::decode("bodhi", "a release list", j, release_page_from_json);
            std::move(result.releases.begin(), result.releases.end(), std::back_inserter(out));
            return result.page < result.pages;
        });
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

}  // namespace flr::bodhi
