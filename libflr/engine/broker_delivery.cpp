// Broker mode: what happens to each delivery (route, ack, dead-letter) and to each
// finished message; the loop that calls these is in broker.cpp.
#include "engine/broker.hpp"
#include "engine/broker_nodes.hpp"
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

amqp::Options connect_options(const AmqpSettings& a, const std::string& name) {
    for (const std::string& node : node_urls(a)) {
        if (amqp::parse_url(node).has_password) {
            throw ConfigError("amqp.url: put the password in amqp.password_file, not in the URL");
        }
    }
    amqp::Options o;
    o.url = a.url;
    if (!a.password_file.empty()) {
        o.password = Secret::from_file(a.password_file);
    }
    o.external_auth = a.external_auth;
    o.ca = a.tls_ca;
    o.cert = a.tls_cert;
    o.key = a.tls_key;
    o.heartbeat = a.heartbeat;
    o.connection_name = name;
    return o;
}

// One run (or a skip) into the journal's open transaction.
void BrokerLoop::journal_run(const Message& msg, const JobFailure& run, const char* outcome) {
    JobRecord r;
    r.message_id = msg.id;
    r.topic = msg.topic;
    r.route = run.route;
    r.attempt = run.attempts;
    r.started = run.started;
    r.ended = run.ended;
    r.exit_status = run.exit_code;
    r.signal = run.signal;
    r.status = run.status;
    r.outcome = outcome;
    r.output = run.output;
    r.batch = run.batch;
    journal_->record(r);
}

// The redelivery of a message whose jobs still run from a lost connection: those jobs
// answer for this delivery (acked or dead-lettered when they end), rather than a second
// run of each beside them.
bool BrokerLoop::adopt(const amqp::Delivery& d) {
    auto o = orphans_.find(d.props.message_id);
    if (o == orphans_.end()) {
        return false;
    }
    auto it = inflight_.find(o->second);
    orphans_.erase(o);
    if (it == inflight_.end()) {
        return false;
    }
    it->second.generation = generation_;
    it->second.tag = d.tag;
    log::info(fmt::format("{}: redelivered while its job(s) from the lost connection still run: they answer for it",
                          printable(d.props.message_id)));
    return true;
}

void BrokerLoop::handle(amqp::Delivery& d) {
    acks_.add(d.tag);
    ++session_.counters().received;
    if (!orphans_.empty() && adopt(d)) {
        return;
    }
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
        // A redelivery, or a republish with the same id (fedora-messaging retries).
        if (journal_->succeeded(id, r.name)) {
            log::info(fmt::format("{} {}: {}, already succeeded: skipped", printable(id), r.name,
                                  d.redelivered ? "redelivered" : "seen before"));
            double now = unix_now();
            journal_run(msg, JobFailure{r.name, "already succeeded", -1, 0, "", "", 0, now, now}, outcome::skipped);
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

// A message whose jobs are all done: ack it, or dead-letter its failures.
void BrokerLoop::complete(const Completion& c) {
    const std::vector<JobFailure>& failures = c.failures;
    auto it = inflight_.find(c.token);
    if (it == inflight_.end()) {
        return;
    }
    InFlight f = std::move(it->second);
    inflight_.erase(it);
    if (!orphans_.empty()) {
        if (auto o = orphans_.find(f.msg->id); o != orphans_.end() && o->second == c.token) {
            orphans_.erase(o);  // ended before the broker delivered it again
        }
    }
    if (c.released) {
        log::info(fmt::format("{}: released with its batch; left unacked for the broker to deliver again",
                              printable(f.msg->id)));
        return;
    }
    bool lost = f.generation != generation_ || !conn_;
    for (const JobFailure& j : failures) {
        bool dead = !lost && !amqp().dead_letter_exchange.empty();
        journal_run(*f.msg, j, dead ? outcome::dead_lettered : outcome::failed);
    }
    if (f.generation != generation_ || !conn_) {
        log::info(
            fmt::format("{}: finished after its connection was lost; the broker redelivers it", printable(f.msg->id)));
        return;
    }
    if (c.ok) {
        acks_.settle(f.tag, true);
    } else {
        dead_letter(f, failures);
    }
}

void BrokerLoop::dead_letter(const InFlight& f, const std::vector<JobFailure>& failures) {
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

void BrokerLoop::dead_letter_invalid(amqp::Delivery& d, const std::string& topic, const std::string& why) {
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
void BrokerLoop::publish_dead(std::uint64_t tag, const std::string& body, const amqp::Properties& props) {
    const AmqpSettings& a = amqp();
    std::uint64_t seq = conn_->publish(a.dead_letter_exchange, a.dead_letter_queue, body, props);
    confirms_[seq] = tag;
    ++dead_pending_[tag];
    ++session_.counters().dead_lettered;
    std::string route = props.headers.value(dead::route, "");
    log::warning(fmt::format("{}: dead-lettered to {} ({})", printable(props.message_id), a.dead_letter_queue,
                             route.empty() ? "invalid" : "route " + printable(route)));
}

void BrokerLoop::settle_confirms() {
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

}  // namespace flr::engine
