// Private: AMQP 0-9-1 plumbing over rabbitmq-c 0.11. Generic: queues, bindings,
// consuming with manual acks, publishing. One connection, one channel, no threads.
//
// Non-blocking use from an event loop: poll fd() for POLLIN, then call next() until it
// returns false; call next() (or keepalive()) at least every heartbeat/2 seconds so
// heartbeats flow.
#pragma once

#include <flr/secret.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flr::amqp {

struct Url {
    bool tls = false;
    std::string host;
    int port = 5672;
    std::string vhost = "/";
    std::string user = "guest";
    bool has_password = false;  // a password inside the URL (refused by callers that read files)
};

// amqp[s]://[user[:password]@]host[:port][/vhost] (vhost percent-decoded; default "/").
// Throws ConfigError.
Url parse_url(const std::string& url);

struct Options {
    std::string url;
    std::optional<Secret> password;  // PLAIN auth; default "guest" when absent
    bool external_auth = false;      // SASL EXTERNAL (the client certificate names the user)
    std::string ca, cert, key;       // TLS files (amqps)
    int heartbeat = 30;              // seconds, 0 = none
    std::string connection_name = "flr";
    int connect_timeout = 10;  // seconds for the TCP (and TLS) connect: a dead node is left soon
};

struct Queue {
    std::string name;
    bool durable = true;
    bool exclusive = false;
    bool auto_delete = false;
    std::string type = "classic";         // or "quorum"
    std::string dead_letter_exchange;     // x-dead-letter-exchange ("" = none)
    std::string dead_letter_key;          // x-dead-letter-routing-key
    int delivery_limit = 0;               // x-delivery-limit (quorum only; 0 = none)
    bool single_active_consumer = false;  // x-single-active-consumer: one consumer gets it all
};

struct Exchange {
    std::string name;
    std::string type;                                     // direct, topic, x-consistent-hash, ...
    nlohmann::json arguments = nlohmann::json::object();  // e.g. {"hash-header": "key"}
};

// A publisher confirm: the broker took (ok) or refused the publishes up to `seq`.
struct Confirm {
    std::uint64_t seq = 0;
    bool multiple = false;
    bool ok = true;
};

struct Properties {
    std::string message_id;
    std::string content_type;
    std::string content_encoding;
    nlohmann::json headers = nlohmann::json::object();  // strings are UTF-8 (invalid bytes replaced)
    std::uint8_t delivery_mode = 2;
};

struct Delivery {
    std::uint64_t tag = 0;
    bool redelivered = false;
    std::string exchange;
    std::string routing_key;
    std::string body;
    Properties props;
};

// What a consumer does with a connection: the listener's broker loop talks to this,
// so its unit tests can drive it with a fake broker (no sockets). Connection is the
// real one; the comments on its members say what each does.
class Channel {
public:
    virtual ~Channel() = default;
    virtual int fd() const = 0;
    virtual void declare_queue(const Queue& queue) = 0;
    virtual void check_queue(const std::string& name) = 0;
    virtual void bind(const std::string& queue, const std::string& exchange, const std::string& key) = 0;
    virtual void unbind(const std::string& queue, const std::string& exchange, const std::string& key) = 0;
    virtual void declare_exchange(const std::string& name, const std::string& type) = 0;
    virtual void declare_exchange(const Exchange& exchange) = 0;
    // Exchange-to-exchange bindings: `source` routes matching messages on to `destination`.
    virtual void bind_exchange(const std::string& destination, const std::string& source, const std::string& key) = 0;
    virtual void unbind_exchange(const std::string& destination, const std::string& source, const std::string& key) = 0;
    virtual void qos(std::uint16_t prefetch) = 0;
    virtual void consume(const std::string& queue) = 0;
    virtual void cancel() = 0;
    virtual bool next(Delivery& out) = 0;
    virtual bool buffered() const = 0;
    virtual void keepalive() = 0;
    virtual void ack(std::uint64_t tag, bool multiple) = 0;
    virtual void reject(std::uint64_t tag, bool requeue) = 0;
    virtual void confirm_select() = 0;
    virtual std::uint64_t publish(const std::string& exchange, const std::string& key, const std::string& body,
                                  const Properties& props) = 0;
    virtual std::vector<Confirm> take_confirms() = 0;
    virtual void close() noexcept = 0;
};

class Connection final : public Channel {
public:
    // Connects, logs in and opens channel 1. Throws RemoteError or ConfigError.
    explicit Connection(const Options& options);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    int fd() const override;
    void declare_queue(const Queue& queue) override;
    void check_queue(const std::string& name) override;  // passive declare: throws when missing
    void bind(const std::string& queue, const std::string& exchange, const std::string& key) override;
    void unbind(const std::string& queue, const std::string& exchange, const std::string& key) override;
    void declare_exchange(const std::string& name, const std::string& type) override;  // durable
    void declare_exchange(const Exchange& exchange) override;                          // durable
    void bind_exchange(const std::string& destination, const std::string& source, const std::string& key) override;
    void unbind_exchange(const std::string& destination, const std::string& source, const std::string& key) override;
    // Passive declare: the number of ready messages; throws when missing.
    std::uint32_t message_count(const std::string& name);
    void qos(std::uint16_t prefetch) override;
    void consume(const std::string& queue) override;  // manual acks (no_ack=0), always; may be called per queue
    void cancel() override;                           // basic.cancel of every consume above
    // basic.get with manual ack: false when the queue is empty.
    bool get(const std::string& queue, Delivery& out);

    // Non-blocking: fills `out` and returns true when a delivery is ready. Services
    // heartbeats. Throws RemoteError when the channel or connection is gone.
    bool next(Delivery& out) override;
    // Frames or bytes already read and not yet handled: call next() before polling.
    bool buffered() const override;
    // For a consumer that stops reading for a while (back-pressure): sends a heartbeat
    // frame when half the negotiated interval has passed since the last one it sent,
    // so the broker keeps the connection. Call it at least every heartbeat/2 seconds.
    void keepalive() override;

    void ack(std::uint64_t tag, bool multiple) override;
    void reject(std::uint64_t tag, bool requeue) override;
    // Publisher confirms on this channel; publish() then returns the sequence number
    // that a later Confirm names. next() collects confirms; take_confirms() hands them out.
    void confirm_select() override;
    std::uint64_t publish(const std::string& exchange, const std::string& key, const std::string& body,
                          const Properties& props) override;
    std::vector<Confirm> take_confirms() override;
    // Blocking: read frames until every publish so far is confirmed; false on a refusal.
    bool wait_confirms(int timeout_ms);
    // Graceful close (errors ignored); the destructor closes too.
    void close() noexcept override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace flr::amqp
