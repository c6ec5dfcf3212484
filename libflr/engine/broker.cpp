// Broker mode: consume the queue, route each delivery, ack after all its jobs finish.
#include "core/amqp.hpp"
#include "engine/ack_window.hpp"
#include "engine/listener_impl.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::engine {
namespace {

amqp::Options connect_options(const AmqpSettings& a) {
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
    o.connection_name = "flr-listen";
    return o;
}

class Consumer {
public:
    explicit Consumer(const ListenConfig& cfg)
        : cfg_(cfg),
          session_(cfg, [this](std::uint64_t tag, bool ok) { acks_.settle(tag, ok); }),
          conn_(connect_options(cfg.amqp)) {
        setup();
        sink_.ack = [this](std::uint64_t tag, bool multiple) { conn_.ack(tag, multiple); };
        sink_.reject = [this](std::uint64_t tag) { conn_.reject(tag, false); };
        batch_ = static_cast<std::size_t>(std::max(1, cfg.amqp.prefetch / 4));
    }

    listen::Summary run() {
        auto start = Clock::now();
        int cap = cfg_.amqp.heartbeat > 0 ? cfg_.amqp.heartbeat * 500 : 60000;
        while (!session_.stop_requested()) {
            bool flowing = receive() > 0;
            // While deliveries keep coming, acks go out as one multiple ack per batch; when
            // they stop for 1 ms, or nothing came, the finished ones go out before any sleep.
            bool more = conn_.buffered();
            if (!more && !flowing) {
                acks_.flush(sink_);
            }
            int timeout = more ? 0 : acks_.unsent() > 0 ? 1 : cap;
            short ev = session_.step(more ? -1 : conn_.fd(), timeout);
            if (!more && !(ev & POLLIN)) {
                acks_.flush(sink_);
            }
        }
        drain(cap);
        conn_.close();
        listen::Summary s = session_.summary(std::chrono::duration<double>(Clock::now() - start).count());
        log::info(fmt::format("summary received={} routed={} unrouted={} invalid={} succeeded={} failed={} retried={}",
                              s.received, s.routed, s.unrouted, s.invalid, s.succeeded, s.failed, s.retried));
        return s;
    }

private:
    void setup() {
        const AmqpSettings& a = cfg_.amqp;
        if (a.passive_declares) {
            conn_.check_queue(a.queue);
        } else {
            conn_.declare_queue({a.queue, a.durable, a.exclusive, a.auto_delete, a.queue_type});
            for (const auto& key : a.bindings) {
                conn_.bind(a.queue, a.exchange, key);
            }
        }
        conn_.qos(static_cast<std::uint16_t>(a.prefetch));
        conn_.consume(a.queue);
        log::info(fmt::format("consuming {} ({} route(s), {} worker(s), prefetch {})", a.queue, cfg_.routes.size(),
                              cfg_.workers, a.prefetch));
    }

    // Handle what the socket has, in bounded rounds so jobs and acks keep moving.
    int receive() {
        int n = 0;
        for (; n < 512 && conn_.next(delivery_); ++n) {
            handle(delivery_);
            if (acks_.unsent() >= batch_) {
                acks_.flush(sink_);
            }
        }
        return n;
    }

    void handle(amqp::Delivery& d) {
        acks_.add(d.tag);
        ++session_.counters().received;
        Message msg;
        msg.topic = std::move(d.routing_key);
        msg.id = std::move(d.props.message_id);
        if (auto reason = parse_body(d.body, cfg_.max_body, msg.body)) {
            session_.count_invalid(fmt::format("{} on {}", msg.id, msg.topic), *reason);
            acks_.settle(d.tag, false);
            return;
        }
        msg.headers = std::move(d.props.headers);
        if (auto it = msg.headers.find("sent-at"); it != msg.headers.end() && it->is_string()) {
            msg.sent_at = it->get<std::string>();
        }
        if (!session_.route(d.tag, std::move(msg))) {
            acks_.settle(d.tag, true);
        }
    }

    // SIGTERM: start nothing new, let running jobs finish, ack them; the rest stays
    // unacked and the broker delivers it again.
    void drain(int cap) {
        session_.dispatcher().set_paused(true);
        while (session_.dispatcher().running() > 0) {
            while (conn_.next(delivery_)) {
                // Delivered after the stop: left unacked for redelivery.
            }
            acks_.flush(sink_);
            session_.step(conn_.fd(), cap);
        }
        acks_.flush(sink_);
        log::info(fmt::format("stopped; {} queued job(s) left for redelivery", session_.dispatcher().queued()));
    }

    const ListenConfig& cfg_;
    AckWindow acks_;
    Session session_;
    amqp::Connection conn_;
    AckWindow::Sink sink_;
    amqp::Delivery delivery_;
    std::size_t batch_ = 1;
};

}  // namespace

listen::Summary run_broker(const ListenConfig& cfg) {
    if (!cfg.has_amqp && !cfg.no_amqp_reason.empty()) {
        throw ConfigError(cfg.no_amqp_reason);
    }
    if (!cfg.has_amqp) {
        throw ConfigError("no amqp section in the configuration (needed unless --replay is given)");
    }
    Consumer consumer(cfg);
    return consumer.run();
}

}  // namespace flr::engine
