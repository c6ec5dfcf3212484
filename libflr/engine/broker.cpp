// Broker mode: consume the queue, route each delivery, ack after all its jobs finish.
// Failed jobs and invalid messages are dead-lettered (publish confirmed, then ack).
// A lost connection is re-opened with capped exponential backoff while running jobs
// carry on; their deliveries died with the old channel and come back, and the jobs
// that already succeeded are then skipped (see "DELIVERY SEMANTICS" in flr-listen(8)).
//
// This file is the loop: its states, their rounds and the transitions between them
// (see broker.hpp). What happens to each delivery is in broker_delivery.cpp.
#include "engine/broker.hpp"
#include "engine/broker_layout.hpp"
#include "engine/broker_nodes.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace flr::engine {

const char* to_string(BrokerState s) noexcept {
    switch (s) {
        case BrokerState::connecting:
            return "connecting";
        case BrokerState::consuming:
            return "consuming";
        case BrokerState::back_pressured:
            return "back-pressured";
        case BrokerState::draining:
            return "draining";
        case BrokerState::closed:
            return "closed";
    }
    return "?";
}

BrokerLoop::BrokerLoop(ConfigPtr cfg, ConfigLoader loader, Connect connect, std::unique_ptr<Runner> runner)
    : connect_(std::move(connect)), session_(cfg, true, std::move(runner)) {
    session_.set_reload(std::move(loader));
    sink_.ack = [this](std::uint64_t tag, bool multiple) { conn_->ack(tag, multiple); };
    sink_.reject = [this](std::uint64_t tag) { conn_->reject(tag, false); };
    delay_ = cfg->amqp.reconnect_delay;
    open();
    connected();
}

// Opened once the broker has answered and the declarations went through (a broker
// that refuses either is exit 4 whatever the journal), before anything is consumed.
void BrokerLoop::open_journal() {
    const JournalSettings& j = session_.config().journal;
    journal_ =
        std::make_unique<Journal>(j.path, j.fresh_on_corrupt ? Journal::OnCorrupt::fresh : Journal::OnCorrupt::fail);
    journal_->start_pruning(j.retention);
    log::info(fmt::format("journal {}", j.path));
    session_.dispatcher().set_report([this](const Message& msg, const JobFailure& run, bool ok) {
        journal_run(msg, run, ok ? outcome::succeeded : outcome::failed);
    });
}

BrokerLoop::~BrokerLoop() = default;

listen::Summary BrokerLoop::run() {
    auto start = Clock::now();
    while (state_ != BrokerState::closed) {
        turn();
    }
    listen::Summary s = session_.summary(std::chrono::duration<double>(Clock::now() - start).count());
    session_.write_metrics(true);
    log::info(fmt::format(
        "summary received={} routed={} unrouted={} invalid={} succeeded={} failed={} retried={} dead_lettered={} "
        "skipped={} reconnects={}",
        s.received, s.routed, s.unrouted, s.invalid, s.succeeded, s.failed, s.retried, s.dead_lettered, s.skipped,
        s.reconnects));
    return s;
}

void BrokerLoop::turn() {
    switch (state_) {
        case BrokerState::connecting:
            wait_to_connect();
            break;
        case BrokerState::consuming:
        case BrokerState::back_pressured:
            if (session_.stop_requested()) {
                begin_drain();
                break;
            }
            try {
                consume(cap_ms());
            } catch (const RemoteError& e) {
                lost(e);
            }
            break;
        case BrokerState::draining:
            drain_round();
            break;
        case BrokerState::closed:
            break;
    }
}

// ---- Rounds ------------------------------------------------------------------------

// Capped exponential backoff; children are still serviced while waiting.
void BrokerLoop::wait_to_connect() {
    if (session_.stop_requested()) {
        begin_drain();
        return;
    }
    auto now = Clock::now();
    if (now < retry_at_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now).count();
        wait(-1, static_cast<int>(std::clamp<long long>(left, 1, 1000)), false);
        return;
    }
    try {
        open();
    } catch (const Error& e) {
        delay_ = std::min(delay_ * 2, amqp().reconnect_delay_max);
        retry_at_ = Clock::now() + delay_;
        log::warning(fmt::format("reconnect failed: {}; next try in {:g} s", e.what(),
                                 std::chrono::duration<double>(delay_).count()));
        return;
    }
    ++session_.counters().reconnects;
    delay_ = amqp().reconnect_delay;
    log::info("reconnected");
    connected();
}

// One round: deliveries, confirms and acks, then wait for the next event.
// - While back-pressured (enough jobs wait for a worker), deliveries stay unread in the
//   socket (the broker holds the rest of the prefetch window) and heartbeats are sent
//   by hand.
// - After a round that took deliveries, the next wait leaves the socket out for up to
//   gather_delay: while a stream flows, deliveries are read in batches instead of one
//   wakeup (and one broker-side wakeup) per message. An isolated message is read at
//   once, as the socket is polled again when the stream pauses.
// Draining runs the same round: deliveries are read (confirms and the cancel arrive on
// the socket) but not handled.
void BrokerLoop::consume(int cap) {
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
    wait(reading && !buffered && !gather ? conn_->fd() : -1, timeout, gather);
}

// SIGTERM: running jobs finish (up to drain_timeout) and are acked; the rest stays
// unacked and the broker delivers it again.
void BrokerLoop::drain_round() {
    if ((session_.dispatcher().running() > 0 || !confirms_.empty()) && Clock::now() < drain_until_) {
        try {
            consume(250);
        } catch (const RemoteError& e) {
            lost(e);
        }
        return;
    }
    close();
}

// The one wait of every round, then what it produced: finished messages (acks and dead
// letters) and a SIGHUP's new bindings. Read the socket next round only when there is
// something: the wait said so, or a gather just ended.
void BrokerLoop::wait(int fd, int timeout_ms, bool gather) {
    short ev = session_.step(fd, timeout_ms);
    readable_ = gather || (fd >= 0 && (ev & (POLLIN | POLLHUP | POLLERR)) != 0);
    after_wait();
}

void BrokerLoop::after_wait() {
    session_.dispatcher().take_completions(completions_);
    for (const Completion& c : completions_) {
        complete(c);
    }
    if (!conn_) {
        journal_->commit();  // no acks to wait for: the runs are on disk at once
    }
    if (ConfigPtr before = session_.take_replaced()) {
        rebind(before->amqp, amqp());
    }
}

// ---- Transitions -------------------------------------------------------------------

// connecting -> consuming (and the first connection).
void BrokerLoop::connected() {
    state_ = BrokerState::consuming;
    session_.live.connected = true;
    readable_ = true;
}

// consuming or back_pressured -> connecting; draining stays draining, without a
// connection. Deliveries of the lost channel are not acked: the broker redelivers them.
void BrokerLoop::lost(const Error& e) {
    log::warning(fmt::format("connection lost: {}; {} job(s) keep running, their messages will be redelivered",
                             e.what(), session_.dispatcher().running()));
    conn_.reset();
    session_.live.connected = false;
    for (const auto& [token, f] : inflight_) {
        if (!f.msg->id.empty()) {
            orphans_[f.msg->id] = token;
        }
    }
    session_.dispatcher().release_batches();  // their deliveries died with the channel
    acks_.clear();
    confirms_.clear();
    dead_pending_.clear();
    if (state_ != BrokerState::draining) {
        state_ = BrokerState::connecting;
        retry_at_ = Clock::now() + delay_;
    }
}

// consuming -> back_pressured: enough jobs wait for a worker (Session::backlogged), so
// deliveries are left unread and memory is bounded by the backlog, not the prefetch.
void BrokerLoop::press() {
    state_ = BrokerState::back_pressured;
    if (log::enabled(log::Level::debug)) {
        log::debug(fmt::format("back-pressure: {} job(s) wait for a worker", session_.dispatcher().queued()));
    }
}

// back_pressured -> consuming.
void BrokerLoop::release() {
    state_ = BrokerState::consuming;
}

// -> draining (SIGTERM/SIGINT): cancel the consumer and start nothing new. Shards keep
// their consumers until the connection closes: a cancelled single active consumer hands
// its shard over at once, while its unacked messages come back only at the close, so
// the next consumer would run later messages of a key before earlier ones.
void BrokerLoop::begin_drain() {
    session_.dispatcher().set_paused(true);
    session_.dispatcher().release_batches();  // not started: left for redelivery
    state_ = BrokerState::draining;           // deliveries that were already on their way stay unacked
    after_wait();                             // the released messages leave at once
    try {
        if (conn_ && amqp().shards.count == 0) {
            conn_->cancel();
        }
    } catch (const RemoteError& e) {
        lost(e);
    }
    drain_until_ = Clock::now() + session_.config().drain_timeout;
}

// draining -> closed: the last acks, and the connection closed.
void BrokerLoop::close() {
    if (session_.dispatcher().running() > 0) {
        log::warning(fmt::format("drain_timeout passed: stopping {} running job(s); their messages stay unacked",
                                 session_.dispatcher().running()));
    }
    try {
        journal_->commit();
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
    state_ = BrokerState::closed;
}

// ---- Connection --------------------------------------------------------------------

const AmqpSettings& BrokerLoop::amqp() const {
    return session_.config().amqp;
}

int BrokerLoop::cap_ms() const {
    return amqp().heartbeat > 0 ? amqp().heartbeat * 500 : 60000;
}

// Deliveries are read while draining and otherwise while not back-pressured; this is
// where the loop moves between consuming and back_pressured.
bool BrokerLoop::taking() {
    if (state_ == BrokerState::draining) {
        return true;
    }
    bool backlogged = session_.backlogged();
    if (state_ == BrokerState::consuming && backlogged) {
        press();
    } else if (state_ == BrokerState::back_pressured && !backlogged) {
        release();
    }
    return state_ == BrokerState::consuming;
}

void BrokerLoop::open() {
    conn_ = connect_();
    ++generation_;
    try {
        setup();
    } catch (...) {
        conn_.reset();
        throw;
    }
}

void BrokerLoop::setup() {
    const AmqpSettings& a = amqp();
    declare_layout(*conn_, a);
    conn_->qos(static_cast<std::uint16_t>(a.prefetch));
    conn_->confirm_select();
    if (!journal_) {
        open_journal();
    }
    std::vector<std::string> queues = consumed_queues(a);
    for (const std::string& q : queues) {
        conn_->consume(q);
    }
    log::info(fmt::format("consuming {} ({} route(s), {} worker(s), prefetch {})", fmt::join(queues, ", "),
                          session_.config().routes.size(), session_.config().workers, a.prefetch));
}

// SIGHUP with derived bindings: bind the new topics, unbind the ones no route uses now.
void BrokerLoop::rebind(const AmqpSettings& before, const AmqpSettings& after) {
    if (!conn_ || after.passive_declares) {
        return;
    }
    try {
        rebind_layout(*conn_, before, after);
    } catch (const RemoteError& e) {
        lost(e);
    }
}

// ---- Acks --------------------------------------------------------------------------

// Finished deliveries acked in one go: a quarter of the prefetch window.
std::size_t BrokerLoop::ack_batch() const {
    return static_cast<std::size_t>(std::max(1, amqp().prefetch / 4));
}

// Finished deliveries are acked together, as one multiple ack where they are
// consecutive: at once when a batch (prefetch/4) is ready, or when the broker's window
// is full and no job is waiting to start (more deliveries are wanted now); otherwise at
// most ack_delay after the first of them finished. Fewer acks mean fewer sends for
// flr-listen and fewer, larger delivery rounds from the broker.
// The journal is committed just before each batch goes out (a job's completion is on
// disk before its ack is sent, at one fsync per batch), and runs with no ack to send yet
// are committed on the same timer.
std::optional<int> BrokerLoop::send_acks() {
    bool acks = conn_ && acks_.unsent() > 0;
    if (!acks && journal_->pending() == 0) {
        ack_due_.reset();
        return std::nullopt;
    }
    auto now = Clock::now();
    if (!ack_due_) {
        ack_due_ = now + ack_delay;
    }
    auto prefetch = static_cast<std::size_t>(std::max(0, amqp().prefetch));
    bool starved = prefetch > 0 && acks_.size() >= prefetch && session_.dispatcher().queued() == 0;
    if ((acks && (acks_.unsent() >= ack_batch() || starved)) || now >= *ack_due_) {
        journal_->commit();
        if (acks) {
            acks_.flush(sink_);
        }
        ack_due_.reset();
        return std::nullopt;
    }
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*ack_due_ - now).count());
}

// Handle what the socket has, in bounded rounds so jobs and acks keep moving.
int BrokerLoop::receive() {
    int n = 0;
    // Stops when what was read is handled: one more read would only find the socket
    // empty (and cost rabbitmq-c a recv and a poll to learn it).
    for (; n < 512 && taking() && (n == 0 || conn_->buffered()) && conn_->next(delivery_); ++n) {
        if (state_ == BrokerState::draining) {
            continue;
        }
        handle(delivery_);
        if (acks_.unsent() >= ack_batch()) {
            send_acks();
        }
    }
    return n;
}

listen::Summary run_broker(ConfigPtr cfg, ConfigLoader loader) {
    if (!cfg->has_amqp && !cfg->no_amqp_reason.empty()) {
        throw ConfigError(cfg->no_amqp_reason);
    }
    if (!cfg->has_amqp) {
        throw ConfigError("no amqp section in the configuration (needed unless --replay is given)");
    }
    auto nodes = std::make_shared<NodeList>(
        node_urls(cfg->amqp), [options = connect_options(cfg->amqp, "flr-listen")](const std::string& url) {
            amqp::Options o = options;
            o.url = url;
            return std::make_unique<amqp::Connection>(o);
        });
    BrokerLoop loop(std::move(cfg), std::move(loader), [nodes] { return nodes->connect(); });
    return loop.run();
}

}  // namespace flr::engine
