// Private: broker mode of flr-listen (one connection, one channel, one poll loop).
#pragma once

#include "core/amqp.hpp"
#include "engine/ack_window.hpp"
#include "engine/dead_letter.hpp"
#include "engine/listener_impl.hpp"

#include <flr/error.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace flr::engine {

// Connection options from the amqp section (reads the password file); throws ConfigError.
amqp::Options connect_options(const AmqpSettings& a, const std::string& connection_name);

// (message id, route) pairs that succeeded lately: a redelivery skips them.
class RecentSuccesses {
public:
    static constexpr std::size_t capacity = 4096;
    void add(const std::string& id, const std::string& route);
    bool contains(const std::string& id, const std::string& route) const;

private:
    std::unordered_set<std::string> set_;
    std::deque<std::string> order_;
};

class Consumer {
public:
    // The longest a finished delivery waits for its ack to be sent (see send_acks).
    static constexpr std::chrono::milliseconds ack_delay{10};
    // How long a flowing stream of deliveries is left to gather in the socket (see pump).
    static constexpr std::chrono::milliseconds gather_delay{1};
    Consumer(ConfigPtr cfg, ConfigLoader loader);
    ~Consumer();
    listen::Summary run();

private:
    // A routed delivery until its jobs are done (and its dead letters confirmed).
    struct InFlight {
        std::uint64_t generation = 0;  // of the connection it came on
        std::uint64_t tag = 0;
        std::vector<std::string> routes;     // matched (and not skipped)
        std::shared_ptr<const Message> msg;  // its headers go into dead letters
        std::string body;                    // as delivered
        amqp::Properties props;              // without headers
        dead::Origin origin;
    };

    const AmqpSettings& amqp() const;
    int cap_ms() const;
    bool taking() const;
    std::size_t ack_batch() const;
    void connect();
    void setup();
    void rebind(const AmqpSettings& before, const AmqpSettings& after);
    void pump(int cap);
    std::optional<int> send_acks();  // ms until the next ack is due, or none waiting
    void lost(const Error& e);
    void reconnect();
    int receive();  // deliveries handled
    void handle(amqp::Delivery& d);
    void done(std::uint64_t token, bool ok, const std::vector<JobFailure>& failures);
    void dead_letter(const InFlight& f, const std::vector<JobFailure>& failures);
    void dead_letter_invalid(amqp::Delivery& d, const std::string& topic, const std::string& why);
    void publish_dead(std::uint64_t tag, const std::string& body, const amqp::Properties& props);
    void settle_confirms();
    void drain();

    amqp::Options options_;
    Session session_;
    std::unique_ptr<amqp::Connection> conn_;
    std::uint64_t generation_ = 0;
    bool draining_ = false;
    AckWindow acks_;
    AckWindow::Sink sink_;
    amqp::Delivery delivery_;
    std::optional<Clock::time_point> ack_due_;
    bool readable_ = true;                   // the last wait saw the socket readable (or a gather ended)
    Clock::time_point last_read_{};          // when receive() last ran
    std::chrono::milliseconds delay_{1000};  // next reconnect wait
    std::uint64_t next_token_ = 0;
    std::unordered_map<std::uint64_t, InFlight> inflight_;
    std::map<std::uint64_t, std::uint64_t> confirms_;              // publish seq -> delivery tag
    std::unordered_map<std::uint64_t, std::size_t> dead_pending_;  // tag -> unconfirmed dead letters
    RecentSuccesses recent_;
};

}  // namespace flr::engine
