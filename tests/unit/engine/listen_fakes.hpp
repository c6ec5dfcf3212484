// Fakes that let unit tests drive the listener's broker loop and dispatcher without
// sockets or processes: a broker behind amqp::Channel, and a Runner whose runs end
// when the test says so (announced with SIGCHLD, as a real child's end is).
#pragma once

#include "core/amqp.hpp"
#include "core/fs.hpp"
#include "engine/broker.hpp"
#include "engine/listen_config.hpp"
#include "engine/runner.hpp"

#include <flr/config.hpp>
#include <flr/error.hpp>

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace flr::engine::fake {

// The broker side, shared by every connection made to it.
struct Broker {
    struct Message {
        std::string id;
        std::string body = "{}";
        bool redelivered = false;
        std::string topic = "t";
    };
    std::deque<Message> ready;      // what the current connection delivers next
    std::vector<std::string> sent;  // "c1 ack 3+", "c1 ack 4", "c1 reject 2", "c1 publish flr.dead q.dead", ...
    std::size_t delivered = 0;      // deliveries taken, over all connections
    int keepalives = 0;
    int connections = 0;           // made
    int refuse = 0;                // connection attempts still to refuse
    bool drop = false;             // the current connection fails at its next call
    std::function<void()> on_ack;  // called as each ack is sent

    std::vector<amqp::Queue> queues;  // declared, over all connections

    void deliver(const std::string& id, const std::string& body = "{}", bool redelivered = false) {
        ready.push_back({id, body, redelivered, "t"});
    }
    // The lines of `sent` that contain `what`.
    std::vector<std::string> sent_matching(const std::string& what) const {
        std::vector<std::string> out;
        std::copy_if(sent.begin(), sent.end(), std::back_inserter(out),
                     [&](const std::string& s) { return s.find(what) != std::string::npos; });
        return out;
    }
};

class Channel final : public amqp::Channel {
public:
    explicit Channel(Broker& b) : b_(b), name_(fmt::format("c{}", ++b.connections)) {}
    int fd() const override { return -1; }  // nothing to poll: buffered() says when to read
    void declare_queue(const amqp::Queue& q) override {
        check();
        b_.queues.push_back(q);
    }
    void check_queue(const std::string&) override { check(); }
    void bind(const std::string& q, const std::string& x, const std::string& key) override {
        record(fmt::format("bind {} {} {}", q, x, key));
    }
    void unbind(const std::string& q, const std::string& x, const std::string& key) override {
        record(fmt::format("unbind {} {} {}", q, x, key));
    }
    void declare_exchange(const std::string&, const std::string&) override { check(); }
    void declare_exchange(const amqp::Exchange& x) override {
        record(fmt::format("declare {} {} {}", x.type, x.name, x.arguments.dump()));
    }
    void bind_exchange(const std::string& dest, const std::string& source, const std::string& key) override {
        record(fmt::format("bind-exchange {} {} {}", dest, source, key));
    }
    void unbind_exchange(const std::string& dest, const std::string& source, const std::string& key) override {
        record(fmt::format("unbind-exchange {} {} {}", dest, source, key));
    }
    void qos(std::uint16_t) override { check(); }
    void consume(const std::string& q) override { record("consume " + q); }
    void cancel() override { record("cancel"); }
    bool next(amqp::Delivery& out) override {
        check();
        if (b_.ready.empty()) {
            return false;
        }
        Broker::Message m = std::move(b_.ready.front());
        b_.ready.pop_front();
        ++b_.delivered;
        out = amqp::Delivery{};
        out.tag = ++tag_;
        out.redelivered = m.redelivered;
        out.exchange = "amq.topic";
        out.routing_key = m.topic;
        out.body = m.body;
        out.props.message_id = m.id;
        return true;
    }
    bool buffered() const override { return !dead_ && !b_.ready.empty(); }
    void keepalive() override {
        check();
        ++b_.keepalives;
    }
    void ack(std::uint64_t tag, bool multiple) override {
        if (b_.on_ack) {
            b_.on_ack();
        }
        record(fmt::format("ack {}{}", tag, multiple ? "+" : ""));
    }
    void reject(std::uint64_t tag, bool requeue) override {
        record(fmt::format("reject {}{}", tag, requeue ? " requeue" : ""));
    }
    void confirm_select() override { check(); }
    // Every publish is confirmed at once.
    std::uint64_t publish(const std::string& exchange, const std::string& key, const std::string&,
                          const amqp::Properties&) override {
        record(fmt::format("publish {} {}", exchange, key));
        confirms_.push_back(amqp::Confirm{++seq_, false, true});
        return seq_;
    }
    std::vector<amqp::Confirm> take_confirms() override {
        check();
        return std::exchange(confirms_, {});
    }
    void close() noexcept override { b_.sent.push_back(name_ + " close"); }

private:
    void check() {
        if (b_.drop) {
            b_.drop = false;
            dead_ = true;
        }
        if (dead_) {
            throw RemoteError("amqp", "connection reset (fake)");
        }
    }
    void record(const std::string& what) {
        check();
        b_.sent.push_back(name_ + " " + what);
    }

    Broker& b_;
    std::string name_;
    bool dead_ = false;
    std::uint64_t tag_ = 0;
    std::uint64_t seq_ = 0;
    std::vector<amqp::Confirm> confirms_;
};

inline BrokerLoop::Connect connector(Broker& b) {
    return [&b]() -> std::unique_ptr<amqp::Channel> {
        if (b.refuse > 0) {
            --b.refuse;
            throw RemoteError("amqp", "connection refused (fake)");
        }
        return std::make_unique<Channel>(b);
    };
}

class Runner final : public engine::Runner {
public:
    struct Run {
        std::uint64_t id = 0;
        std::string route;
        std::string msg_id;  // a batch's first
        int attempt = 0;
        std::vector<std::string> batch;  // a batch's message ids
    };
    std::vector<Run> started;  // every run, in start order
    std::vector<Run> live;     // started and not finished

    void start(std::uint64_t id, const Route& route, const Message& msg, int attempt,
               const std::vector<const Message*>& batch) override {
        if (route.name == "unstartable") {
            throw Error("cannot start (fake)");
        }
        std::vector<std::string> ids;
        for (const Message* m : batch) {
            ids.push_back(m->id);
        }
        started.push_back({id, route.name, msg.id, attempt, ids});
        live.push_back(started.back());
    }
    void poll_fds(std::vector<pollfd>&) const override {}
    void on_output(const pollfd*, std::size_t) override {}
    void reap(std::vector<RunEnd>& out) override {
        for (auto& e : ended_) {
            out.push_back(std::move(e));
        }
        ended_.clear();
    }
    void check_timeouts(Clock::time_point) override {}
    std::optional<Clock::time_point> next_deadline() const override { return std::nullopt; }

    // Ends the live run of message `msg_id` with `exit_code`.
    void finish(const std::string& msg_id, int exit_code = 0) {
        auto it = std::find_if(live.begin(), live.end(), [&](const Run& r) { return r.msg_id == msg_id; });
        if (it == live.end()) {
            throw std::logic_error("no live run for " + msg_id);
        }
        RunEnd e;
        e.id = it->id;
        e.result.exit_code = exit_code;
        e.result.signal = 0;
        e.tail.push_back(fmt::format("{} exits {}", msg_id, exit_code));
        live.erase(it);
        ended_.push_back(std::move(e));
        ::raise(SIGCHLD);
    }

private:
    std::vector<RunEnd> ended_;
};

// A new journal file of its own (in a directory removed at exit).
inline std::string journal_path() {
    static fs::TempDir dir("flr-unit-journal");
    static int n = 0;
    return dir.file(fmt::format("j{}.db", ++n));
}

// A listener configuration for the fakes: one route "r" on topic t (one attempt), the given workers,
// the amqp section plus `more` (YAML flow-mapping entries), and a new journal unless `more` names one.
inline ConfigPtr config(std::size_t workers, const std::string& amqp_more = "", const std::string& more = "") {
    std::string yaml = fmt::format(
        "routes: [{{name: r, topic: t, command: [/bin/true], max_attempts: 1}}]\n"
        "workers: {}\n"
        "amqp: {{url: \"amqp://localhost\", queue: q, heartbeat: 1, reconnect_delay: 10ms{}}}\n{}\n{}",
        workers, amqp_more.empty() ? "" : ", " + amqp_more, more,
        more.find("journal:") == std::string::npos ? fmt::format("journal: {{path: \"{}\"}}", journal_path()) : "");
    return std::make_shared<const ListenConfig>(load_listen_config(Config::parse(yaml, "fake.yaml")));
}

// A broker loop on `broker`, with a fake runner (returned through `runner`).
inline std::unique_ptr<BrokerLoop> loop(ConfigPtr cfg, Broker& broker, Runner*& runner) {
    auto r = std::make_unique<Runner>();
    runner = r.get();
    return std::make_unique<BrokerLoop>(std::move(cfg), ConfigLoader{}, connector(broker), std::move(r));
}

// Turns the loop until `done()` holds; false when 5 s pass first.
template <typename Pred>
bool turn_until(BrokerLoop& l, Pred done) {
    auto give_up = Clock::now() + std::chrono::seconds(5);
    while (!done()) {
        if (Clock::now() > give_up || l.state() == BrokerState::closed) {
            return done();
        }
        l.turn();
    }
    return true;
}

}  // namespace flr::engine::fake
