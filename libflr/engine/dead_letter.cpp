#include "engine/dead_letter.hpp"

#include "engine/message.hpp"

#include <ctime>

namespace flr::engine::dead {
namespace {

amqp::Properties base(const amqp::Properties& original, const Origin& origin, const std::string& why) {
    amqp::Properties p = original;
    if (!p.headers.is_object()) {
        p.headers = nlohmann::json::object();
    }
    strip(p.headers);
    p.headers[queue] = origin.queue;
    p.headers[exchange] = origin.exchange;
    p.headers[topic] = origin.topic;
    p.headers[reason] = why;
    p.headers[failed_at] = iso8601_utc(static_cast<double>(std::time(nullptr)));
    p.delivery_mode = 2;
    return p;
}

}  // namespace

amqp::Properties for_failure(const amqp::Properties& original, const Origin& origin, const JobFailure& f) {
    amqp::Properties p = base(original, origin, "route " + f.route + " failed: " + f.status);
    p.headers[route] = f.route;
    p.headers[status] = f.status;
    p.headers[exit_status] = f.exit_code;
    p.headers[attempts] = f.attempts;
    p.headers[output] = f.output;
    if (!f.batch.empty()) {
        p.headers[batch] = f.batch;
    }
    return p;
}

amqp::Properties for_invalid(const amqp::Properties& original, const Origin& origin, const std::string& why) {
    amqp::Properties p = base(original, origin, "invalid message: " + why);
    p.headers[route] = "";
    p.headers[attempts] = 0;
    return p;
}

void strip(nlohmann::json& headers) {
    if (!headers.is_object()) {
        return;
    }
    for (auto it = headers.begin(); it != headers.end();) {
        it = it.key().rfind("x-flr-", 0) == 0 ? headers.erase(it) : std::next(it);
    }
}

}  // namespace flr::engine::dead
