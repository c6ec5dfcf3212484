// Broker mode: what happens to each delivery (route, ack, dead-letter) and the drain.
#include "engine/broker.hpp"
#include "engine/dead_letter.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace flr::engine {
namespace {

// The routes a re-injected message asks for (x-flr-routes), or none.
std::vector<std::string> only_routes(const Json& headers) {
    std::vector<std::string> out;
    auto it = headers.find(dead::only_routes);
    if (it != headers.end() && it->is_array()) {
        for (const auto& v : *it) {
            if (v.is_string()) {
                out.push_back(v.get<std::string>());
            }
        }
    }
    return out;
}

// Where a delivery first came from: a re-injected one names it in its headers.
dead::Origin origin_of(const amqp::Delivery& d, const std::string& queue) {
    const Json& h = d.props.headers;
    if (auto t = h.find(dead::topic); d.exchange.empty() && t != h.end() && t->is_string()) {
        auto e = h.find(dead::exchange);
        return {queue, e != h.end() && e->is_string() ? e->get<std::string>() : "", t->get<std::string>()};
    }
    return {queue, d.exchange, d.routing_key};
}

}  // namespace

void Consumer::handle(amqp::Delivery& d) {
    acks_.add(d.tag);
    ++session_.counters().received;
    InFlight f{generation_, d.tag, {}, nullptr, {}, {}, origin_of(d, amqp().queue)};
    Message msg;
    msg.topic = f.origin.topic;
    msg.id = d.props.message_id;
    if (auto reason = parse_body(d.body, session_.config().max_body, msg.body)) {
        session_.count_invalid(fmt::format("{} on {}", msg.id, msg.topic), *reason);
        dead_letter_invalid(d, msg.topic, *reason);
        return;
    }
    std::vector<std::string> only = only_routes(d.props.headers);
    msg.headers = std::move(d.props.headers);
    dead::strip(msg.headers);
    if (auto it = msg.headers.find("sent-at"); it != msg.headers.end() && it->is_string()) {
        msg.sent_at = it->get<std::string>();
    }
    std::string id = msg.id;
    auto keep = [&](const Route& r) {
        if (!only.empty() && std::find(only.begin(), only.end(), r.name) == only.end()) {
            return false;
        }
        if (d.redelivered && recent_.contains(id, r.name)) {
            log::info(fmt::format("{} {}: redelivered, already succeeded: skipped", printable(id), r.name));
            return false;
        }
        f.routes.push_back(r.name);
        return true;
    };
    std::uint64_t token = ++next_token_;
    f.msg = session_.route(token, std::move(msg), keep);
    if (!f.msg) {
        acks_.settle(d.tag, true);
        return;
    }
    f.body = std::move(d.body);
    f.props = std::move(d.props);
    inflight_.emplace(token, std::move(f));
}

void Consumer::done(std::uint64_t token, bool ok, const std::vector<JobFailure>& failures) {
    auto it = inflight_.find(token);
    if (it == inflight_.end()) {
        return;
    }
    InFlight f = std::move(it->second);
    inflight_.erase(it);
    for (const auto& route : f.routes) {
        bool failed =
            std::any_of(failures.begin(), failures.end(), [&](const JobFailure& j) { return j.route == route; });
        if (!failed) {
            recent_.add(f.msg->id, route);
        }
    }
    if (f.generation != generation_ || !conn_) {
        log::info(
            fmt::format("{}: finished after its connection was lost; the broker redelivers it", printable(f.msg->id)));
        return;
    }
    if (ok) {
        acks_.settle(f.tag, true);
    } else {
        dead_letter(f, failures);
    }
}

void Consumer::dead_letter(const InFlight& f, const std::vector<JobFailure>& failures) {
    const AmqpSettings& a = amqp();
    if (a.dead_letter_exchange.empty()) {
        acks_.settle(f.tag, false);  // rejected; the queue's own dead-letter policy applies
        return;
    }
    amqp::Properties props = f.props;
    props.headers = f.msg->headers;
    try {
        for (const JobFailure& j : failures) {
            publish_dead(f.tag, f.body, dead::for_failure(props, f.origin, j));
        }
    } catch (const RemoteError& e) {
        lost(e);
    }
}

void Consumer::dead_letter_invalid(amqp::Delivery& d, const std::string& topic, const std::string& why) {
    const AmqpSettings& a = amqp();
    if (a.dead_letter_exchange.empty()) {
        acks_.settle(d.tag, false);
        return;
    }
    dead::Origin origin = origin_of(d, a.queue);
    origin.topic = topic;
    publish_dead(d.tag, d.body, dead::for_invalid(d.props, origin, why));
}

// Published with a confirm; the delivery is acked once all its dead letters are confirmed.
void Consumer::publish_dead(std::uint64_t tag, const std::string& body, const amqp::Properties& props) {
    const AmqpSettings& a = amqp();
    std::uint64_t seq = conn_->publish(a.dead_letter_exchange, a.dead_letter_queue, body, props);
    confirms_[seq] = tag;
    ++dead_pending_[tag];
    ++session_.counters().dead_lettered;
    std::string route = props.headers.value(dead::route, "");
    log::warning(fmt::format("{}: dead-lettered to {} ({})", printable(props.message_id), a.dead_letter_queue,
                             route.empty() ? "invalid" : "route " + printable(route)));
}

void Consumer::settle_confirms() {
    for (const amqp::Confirm& c : conn_->take_confirms()) {
        auto end = c.multiple ? confirms_.upper_bound(c.seq) : confirms_.find(c.seq);
        auto begin = c.multiple ? confirms_.begin() : end;
        if (!c.multiple && end != confirms_.end()) {
            ++end;
        }
        for (auto it = begin; it != end; it = confirms_.erase(it)) {
            std::uint64_t tag = it->second;
            if (!c.ok) {
                log::error(fmt::format("the broker refused a dead letter (delivery {}); rejecting it", tag));
                dead_pending_.erase(tag);
                acks_.settle(tag, false);
            } else if (auto p = dead_pending_.find(tag); p != dead_pending_.end() && --p->second == 0) {
                dead_pending_.erase(p);
                acks_.settle(tag, true);
            }
        }
    }
}

// SIGTERM: cancel the consumer, start nothing new, let running jobs finish (up to
// drain_timeout) and ack them; the rest stays unacked and the broker delivers it again.
void Consumer::drain() {
    session_.dispatcher().set_paused(true);
    try {
        if (conn_) {
            conn_->cancel();
        }
    } catch (const RemoteError& e) {
        lost(e);
    }
    draining_ = true;  // deliveries that were already on their way stay unacked
    auto deadline = Clock::now() + session_.config().drain_timeout;
    while ((session_.dispatcher().running() > 0 || !confirms_.empty()) && Clock::now() < deadline) {
        try {
            pump(250);
        } catch (const RemoteError& e) {
            lost(e);
        }
    }
    if (session_.dispatcher().running() > 0) {
        log::warning(fmt::format("drain_timeout passed: stopping {} running job(s); their messages stay unacked",
                                 session_.dispatcher().running()));
    }
    try {
        if (conn_) {
            acks_.flush(sink_);
            conn_->close();
        }
        session_.live.connected = false;
    } catch (const RemoteError& e) {
        log::warning(fmt::format("final acks: {}", e.what()));
    }
    log::info(fmt::format("stopped; {} queued job(s) left for redelivery",
                          session_.dispatcher().queued() + session_.dispatcher().delayed()));
}

listen::Summary run_broker(ConfigPtr cfg, ConfigLoader loader) {
    if (!cfg->has_amqp && !cfg->no_amqp_reason.empty()) {
        throw ConfigError(cfg->no_amqp_reason);
    }
    if (!cfg->has_amqp) {
        throw ConfigError("no amqp section in the configuration (needed unless --replay is given)");
    }
    Consumer consumer(std::move(cfg), std::move(loader));
    return consumer.run();
}

}  // namespace flr::engine
