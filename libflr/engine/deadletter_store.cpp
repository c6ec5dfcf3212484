// flr::deadletter::Store: walks the dead-letter queue with basic.get. Letters it does
// not take stay unacked and go back to the queue, in order, when the channel closes.
#include "core/amqp.hpp"
#include "engine/broker.hpp"
#include "engine/broker_nodes.hpp"
#include "engine/dead_letter.hpp"
#include "engine/listen_config.hpp"

#include <flr/deadletter.hpp>
#include <flr/error.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace flr::deadletter {
namespace {

using nlohmann::json;

std::string text(const json& h, const char* key) {
    auto it = h.find(key);
    return it != h.end() && it->is_string() ? it->get<std::string>() : "";
}

int number(const json& h, const char* key, int fallback) {
    auto it = h.find(key);
    return it != h.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

Letter decode(const amqp::Delivery& d) {
    namespace dead = engine::dead;
    const json& h = d.props.headers;
    Letter l;
    l.id = d.props.message_id;
    l.route = text(h, dead::route);
    l.reason = text(h, dead::reason);
    l.status = text(h, dead::status);
    l.exit_status = number(h, dead::exit_status, -1);
    l.attempts = number(h, dead::attempts, 0);
    l.output = text(h, dead::output);
    l.topic = text(h, dead::topic);
    l.exchange = text(h, dead::exchange);
    l.queue = text(h, dead::queue);
    l.failed_at = text(h, dead::failed_at);
    if (l.reason.empty() && h.contains("x-death")) {
        l.reason = "rejected or over the delivery limit (x-death)";
        l.topic = d.routing_key;
    }
    l.headers = h.dump(-1, ' ', false, json::error_handler_t::replace);
    l.body = d.body;
    return l;
}

}  // namespace

bool Selection::matches(const Letter& l) const {
    return all || std::find(ids.begin(), ids.end(), l.id) != ids.end() ||
           std::find(routes.begin(), routes.end(), l.route) != routes.end();
}

struct Store::Impl {
    engine::AmqpSettings amqp;
    std::unique_ptr<amqp::Connection> conn;

    enum class Verb { list, reinject, purge };
    std::vector<Letter> walk(const Selection& sel, Verb verb, bool dry_run);
    void reinject(const amqp::Delivery& d, const Letter& l);
};

Store::Store(const Config& config) : impl_(std::make_unique<Impl>()) {
    engine::ListenConfig cfg = engine::load_listen_config(config);
    if (!cfg.has_amqp) {
        throw ConfigError(cfg.no_amqp_reason.empty() ? "no amqp section in the configuration" : cfg.no_amqp_reason);
    }
    if (cfg.amqp.dead_letter_exchange.empty() && !config.has("amqp.dead_letter_queue")) {
        throw ConfigError("amqp.dead_letter_exchange is empty: this flr-listen keeps no dead-letter queue");
    }
    impl_->amqp = cfg.amqp;
}

Store::~Store() = default;

const std::string& Store::queue() const noexcept {
    return impl_->amqp.dead_letter_queue;
}

std::vector<Letter> Store::Impl::walk(const Selection& sel, Verb verb, bool dry_run) {
    // The first node of amqp.url's list that answers, as flr-listen tries them.
    conn = engine::connect_in_turn(engine::node_urls(amqp), 0, [this](const std::string& url) {
               amqp::Options o = engine::connect_options(amqp, "flr-deadletter");
               o.url = url;
               return std::make_unique<amqp::Connection>(o);
           }).first;
    std::uint32_t count = conn->message_count(amqp.dead_letter_queue);
    if (verb == Verb::reinject && !dry_run) {
        conn->confirm_select();
    }
    std::vector<Letter> out;
    amqp::Delivery d;
    for (std::uint32_t i = 0; i < count && conn->get(amqp.dead_letter_queue, d); ++i) {
        Letter l = decode(d);
        if (!sel.matches(l)) {
            continue;  // stays unacked: back in the queue when the channel closes
        }
        if (verb == Verb::reinject && !dry_run) {
            reinject(d, l);
        }
        if (verb != Verb::list && !dry_run) {
            conn->ack(d.tag, false);
        }
        out.push_back(std::move(l));
    }
    conn->close();
    conn.reset();
    return out;
}

// Straight into the work queue (the default exchange), so other queues bound to the
// original topic get no copy; x-flr-topic keeps the topic and x-flr-routes names the
// route to run again.
void Store::Impl::reinject(const amqp::Delivery& d, const Letter& l) {
    amqp::Properties p = d.props;
    engine::dead::strip(p.headers);
    p.headers[engine::dead::topic] = l.topic.empty() ? d.routing_key : l.topic;
    p.headers[engine::dead::exchange] = l.exchange;
    if (!l.route.empty()) {
        p.headers[engine::dead::only_routes] = json::array({l.route});
    }
    conn->publish("", l.queue.empty() ? amqp.queue : l.queue, d.body, p);
    if (!conn->wait_confirms(30000)) {
        throw RemoteError("amqp", fmt::format("the broker refused to take back {}", l.id));
    }
}

std::vector<Letter> Store::list(const Selection& selection) {
    Selection s = selection;
    s.all = s.all || (s.ids.empty() && s.routes.empty());
    return impl_->walk(s, Impl::Verb::list, true);
}

std::vector<Letter> Store::reinject(const Selection& selection, bool dry_run) {
    return impl_->walk(selection, Impl::Verb::reinject, dry_run);
}

std::vector<Letter> Store::purge(const Selection& selection, bool dry_run) {
    return impl_->walk(selection, Impl::Verb::purge, dry_run);
}

}  // namespace flr::deadletter
