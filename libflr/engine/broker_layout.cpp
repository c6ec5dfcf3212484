#include "engine/broker_layout.hpp"

#include <algorithm>

namespace flr::engine {
namespace {

amqp::Queue work_queue(const AmqpSettings& a, const std::string& name) {
    amqp::Queue q{name, a.durable, a.exclusive, a.auto_delete, a.queue_type, "", "", 0, a.shards.count > 0};
    if (!a.dead_letter_exchange.empty()) {
        q.dead_letter_exchange = a.dead_letter_exchange;
        q.dead_letter_key = a.dead_letter_queue;
        q.delivery_limit = a.delivery_limit;
    }
    return q;
}

// With shards, the bindings are on the consistent-hash exchange, not on a queue.
void bind(amqp::Channel& ch, const AmqpSettings& a, const std::string& key) {
    if (a.shards.count > 0) {
        ch.bind_exchange(shard_exchange(a), a.exchange, key);
    } else {
        ch.bind(a.queue, a.exchange, key);
    }
}

void unbind(amqp::Channel& ch, const AmqpSettings& a, const std::string& key) {
    if (a.shards.count > 0) {
        ch.unbind_exchange(shard_exchange(a), a.exchange, key);
    } else {
        ch.unbind(a.queue, a.exchange, key);
    }
}

bool has(const std::vector<std::string>& keys, const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

void declare_layout(amqp::Channel& ch, const AmqpSettings& a) {
    bool dlx = !a.dead_letter_exchange.empty();
    if (a.passive_declares) {
        for (const std::string& q : consumed_queues(a)) {
            ch.check_queue(q);
        }
        if (dlx) {
            ch.check_queue(a.dead_letter_queue);  // provisioned by the operators
        }
        return;
    }
    if (dlx) {
        ch.declare_exchange(a.dead_letter_exchange, "direct");
        amqp::Queue dq;
        dq.name = a.dead_letter_queue;
        dq.type = a.queue_type;
        ch.declare_queue(dq);
        ch.bind(a.dead_letter_queue, a.dead_letter_exchange, a.dead_letter_queue);
    }
    if (a.shards.count > 0) {
        amqp::Exchange x{shard_exchange(a), "x-consistent-hash", nlohmann::json::object()};
        if (!a.shards.hash_header.empty()) {
            x.arguments["hash-header"] = a.shards.hash_header;
        }
        ch.declare_exchange(x);
        for (const std::string& q : consumed_queues(a)) {
            ch.declare_queue(work_queue(a, q));
            ch.bind(q, x.name, "1");  // the weight: every shard takes an equal part
        }
    } else {
        ch.declare_queue(work_queue(a, a.queue));
    }
    for (const auto& key : a.bindings) {
        bind(ch, a, key);
    }
}

void rebind_layout(amqp::Channel& ch, const AmqpSettings& before, const AmqpSettings& after) {
    for (const auto& key : after.bindings) {
        if (!has(before.bindings, key)) {
            bind(ch, after, key);
        }
    }
    for (const auto& key : before.bindings) {
        if (!has(after.bindings, key)) {
            unbind(ch, before, key);
        }
    }
}

}  // namespace flr::engine
