// Broker mode: consume the queue, route each delivery, ack after all its jobs finish.
// Failed jobs and invalid messages are dead-lettered (publish confirmed, then ack).
// A lost connection is re-opened with capped exponential backoff while running jobs
// carry on; their deliveries died with the old channel and come back, and the jobs
// that already succeeded are then skipped (see "DELIVERY SEMANTICS" in flr-listen(8)).
#include "engine/broker.hpp"

#include "engine/dead_letter.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace flr::engine {

amqp::Options connect_options(const AmqpSettings& a, const std::string& name) {
    amqp::Url url = amqp::parse_url(a.url);
    if (url.has_password) {
        throw ConfigError("amqp.url: put the password in amqp.password_file, not in the URL");
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

void RecentSuccesses::add(const std::string& id, const std::string& route) {
    if (id.empty()) {
        return;
    }
    std::string key = id + '\0' + route;
    if (!set_.insert(key).second) {
        return;
    }
    order_.push_back(std::move(key));
    if (order_.size() > capacity) {
        set_.erase(order_.front());
        order_.pop_front();
    }
}

bool RecentSuccesses::contains(const std::string& id, const std::string& route) const {
    return !id.empty() && set_.count(id + '\0' + route) > 0;
}

Consumer::Consumer(ConfigPtr cfg, ConfigLoader loader)
    : options_(connect_options(cfg->amqp, "flr-listen")),
      session_(
          cfg, [this](std::uint64_t t, bool ok, const std::vector<JobFailure>& f) { done(t, ok, f); }, true) {
    session_.set_reload(std::move(loader),
                        [this](const ListenConfig& o, const ListenConfig& n) { rebind(o.amqp, n.amqp); });
    connect();  // the first failure is fatal (exit 4): a wrong URL should not loop
    sink_.ack = [this](std::uint64_t tag, bool multiple) { conn_->ack(tag, multiple); };
    sink_.reject = [this](std::uint64_t tag) { conn_->reject(tag, false); };
    delay_ = cfg->amqp.reconnect_delay;
}

Consumer::~Consumer() = default;

const AmqpSettings& Consumer::amqp() const {
    return session_.config().amqp;
}

void Consumer::connect() {
    conn_ = std::make_unique<amqp::Connection>(options_);
    ++generation_;
    try {
        setup();
    } catch (...) {
        conn_.reset();
        throw;
    }
    session_.live.connected = true;
    readable_ = true;
}

void Consumer::setup() {
    const AmqpSettings& a = amqp();
    bool dlx = !a.dead_letter_exchange.empty();
    if (a.passive_declares) {
        conn_->check_queue(a.queue);
        if (dlx) {
            conn_->check_queue(a.dead_letter_queue);  // provisioned by the operators
        }
    } else {
        if (dlx) {
            conn_->declare_exchange(a.dead_letter_exchange, "direct");
            amqp::Queue dq;
            dq.name = a.dead_letter_queue;
            dq.type = a.queue_type;
            conn_->declare_queue(dq);
            conn_->bind(a.dead_letter_queue, a.dead_letter_exchange, a.dead_letter_queue);
        }
        amqp::Queue q{a.queue, a.durable, a.exclusive, a.auto_delete, a.queue_type, "", "", 0};
        if (dlx) {
            q.dead_letter_exchange = a.dead_letter_exchange;
            q.dead_letter_key = a.dead_letter_queue;
            q.delivery_limit = a.delivery_limit;
        }
        conn_->declare_queue(q);
        for (const auto& key : a.bindings) {
            conn_->bind(a.queue, a.exchange, key);
        }
    }
    conn_->qos(static_cast<std::uint16_t>(a.prefetch));
    conn_->confirm_select();
    conn_->consume(a.queue);
    log::info(fmt::format("consuming {} ({} route(s), {} worker(s), prefetch {})", a.queue,
                          session_.config().routes.size(), session_.config().workers, a.prefetch));
}

// SIGHUP with derived bindings: bind the new topics, unbind the ones no route uses now.
void Consumer::rebind(const AmqpSettings& before, const AmqpSettings& after) {
    if (!conn_ || after.passive_declares) {
        return;
    }
    try {
        for (const auto& key : after.bindings) {
            if (std::find(before.bindings.begin(), before.bindings.end(), key) == before.bindings.end()) {
                conn_->bind(after.queue, after.exchange, key);
            }
        }
        for (const auto& key : before.bindings) {
            if (std::find(after.bindings.begin(), after.bindings.end(), key) == after.bindings.end()) {
                conn_->unbind(before.queue, before.exchange, key);
            }
        }
    } catch (const RemoteError& e) {
        lost(e);
    }
}

listen::Summary Consumer::run() {
    auto start = Clock::now();
    while (!session_.stop_requested()) {
        if (!conn_) {
            reconnect();
            continue;
        }
        try {
            pump(cap_ms());
        } catch (const RemoteError& e) {
            lost(e);
        }
    }
    drain();
    listen::Summary s = session_.summary(std::chrono::duration<double>(Clock::now() - start).count());
    session_.write_metrics(true);
    log::info(fmt::format(
        "summary received={} routed={} unrouted={} invalid={} succeeded={} failed={} retried={} dead_lettered={} "
        "skipped={} reconnects={}",
        s.received, s.routed, s.unrouted, s.invalid, s.succeeded, s.failed, s.retried, s.dead_lettered, s.skipped,
        s.reconnects));
    return s;
}

// Deliveries are read while draining (confirms and the cancel arrive on the socket) and
// otherwise while the backlog leaves room.
bool Consumer::taking() const {
    return draining_ || !session_.backlogged();
}

// Finished deliveries acked in one go: a quarter of the prefetch window.
std::size_t Consumer::ack_batch() const {
    return static_cast<std::size_t>(std::max(1, amqp().prefetch / 4));
}

int Consumer::cap_ms() const {
    return amqp().heartbeat > 0 ? amqp().heartbeat * 500 : 60000;
}

// One round: deliveries, confirms and acks, then wait for the next event.
// - While enough jobs wait for a worker, deliveries stay unread in the socket (the
//   broker holds the rest of the prefetch window) and heartbeats are sent by hand.
// - After a round that took deliveries, the next wait leaves the socket out for up to
//   gather_delay: while a stream flows, deliveries are read in batches instead of one
//   wakeup (and one broker-side wakeup) per message. An isolated message is read at
//   once, as the socket is polled again when the stream pauses.
void Consumer::pump(int cap) {
    bool reading = conn_ && taking();
    int got = 0;
    // A silent socket is still read every cap: rabbitmq-c then notices a broker that
    // sent nothing, not even heartbeats, for two intervals, and the connection is lost.
    if (reading && (readable_ || conn_->buffered() || Clock::now() - last_read_ >= std::chrono::milliseconds(cap))) {
        last_read_ = Clock::now();
        got = receive();
    }
    if (conn_) {
        conn_->keepalive();
        settle_confirms();
    }
    session_.live.in_flight = inflight_.size();
    bool buffered = reading && conn_->buffered();
    std::optional<int> due = send_acks();
    int timeout = buffered ? 0 : due ? std::min(*due, cap) : cap;
    bool gather = got > 0 && !buffered;
    if (gather) {
        timeout = std::min(timeout, static_cast<int>(gather_delay.count()));
    }
    int fd = reading && !buffered && !gather ? conn_->fd() : -1;
    short ev = session_.step(fd, timeout);
    // Read next round only what is there: the socket said so, or a gather just ended.
    readable_ = gather || (fd >= 0 && (ev & (POLLIN | POLLHUP | POLLERR)) != 0);
}

// Finished deliveries are acked together, as one multiple ack where they are
// consecutive: at once when a batch (prefetch/4) is ready, or when the broker's window
// is full and no job is waiting to start (more deliveries are wanted now); otherwise at
// most ack_delay after the first of them finished. Fewer acks mean fewer sends for
// flr-listen and fewer, larger delivery rounds from the broker.
std::optional<int> Consumer::send_acks() {
    if (!conn_ || acks_.unsent() == 0) {
        ack_due_.reset();
        return std::nullopt;
    }
    auto now = Clock::now();
    if (!ack_due_) {
        ack_due_ = now + ack_delay;
    }
    auto prefetch = static_cast<std::size_t>(std::max(0, amqp().prefetch));
    bool starved = prefetch > 0 && acks_.size() >= prefetch && session_.dispatcher().queued() == 0;
    if (acks_.unsent() >= ack_batch() || starved || now >= *ack_due_) {
        acks_.flush(sink_);
        ack_due_.reset();
        return std::nullopt;
    }
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*ack_due_ - now).count());
}

void Consumer::lost(const Error& e) {
    log::warning(fmt::format("connection lost: {}; {} job(s) keep running, their messages will be redelivered",
                             e.what(), session_.dispatcher().running()));
    conn_.reset();
    session_.live.connected = false;
    acks_.clear();
    confirms_.clear();
    dead_pending_.clear();
}

// Capped exponential backoff; children are still serviced while waiting.
void Consumer::reconnect() {
    auto until = Clock::now() + delay_;
    while (!session_.stop_requested() && Clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        session_.step(-1, static_cast<int>(std::clamp<long long>(left, 1, 1000)));
    }
    if (session_.stop_requested()) {
        return;
    }
    try {
        connect();
        ++session_.counters().reconnects;
        delay_ = amqp().reconnect_delay;
        log::info("reconnected");
    } catch (const Error& e) {
        delay_ = std::min(delay_ * 2, amqp().reconnect_delay_max);
        log::warning(fmt::format("reconnect failed: {}; next try in {:g} s", e.what(),
                                 std::chrono::duration<double>(delay_).count()));
    }
}

// Handle what the socket has, in bounded rounds so jobs and acks keep moving.
int Consumer::receive() {
    int n = 0;
    // Stops when what was read is handled: one more read would only find the socket
    // empty (and cost rabbitmq-c a recv and a poll to learn it).
    for (; n < 512 && taking() && (n == 0 || conn_->buffered()) && conn_->next(delivery_); ++n) {
        if (draining_) {
            continue;
        }
        handle(delivery_);
        if (acks_.unsent() >= ack_batch()) {
            send_acks();
        }
    }
    return n;
}

}  // namespace flr::engine
