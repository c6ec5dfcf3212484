// Private: broker mode of flr-listen, a state machine over one connection, one
// channel and one poll() loop (Session::step):
//
//   connecting --connected()--> consuming <--press()/release()--> back_pressured
//       ^                           |                                   |
//       +---------lost()------------+-----------------------------------+
//   any of them --begin_drain() (SIGTERM)--> draining --close()--> closed
//
// Each turn() runs the current state's round; each arrow is one function below. A
// connection lost while draining leaves the loop draining without one. Finished
// messages, dead letters and SIGHUP rebinds are handled in the round, after the wait,
// never from inside the dispatcher or the session.
#pragma once

#include "core/amqp.hpp"
#include "engine/ack_window.hpp"
#include "engine/dead_letter.hpp"
#include "engine/journal.hpp"
#include "engine/listener_impl.hpp"

#include <flr/error.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace flr::engine {

// Connection options from the amqp section (reads the password file); throws ConfigError.
amqp::Options connect_options(const AmqpSettings& a, const std::string& connection_name);

enum class BrokerState : std::uint8_t { connecting, consuming, back_pressured, draining, closed };
const char* to_string(BrokerState s) noexcept;

class BrokerLoop {
public:
    // Opens a connection (a new one on each call); throws RemoteError or ConfigError.
    using Connect = std::function<std::unique_ptr<amqp::Channel>()>;
    // The longest a finished delivery waits for its ack to be sent (see send_acks).
    static constexpr std::chrono::milliseconds ack_delay{10};
    // How long a flowing stream of deliveries is left to gather in the socket (see consume).
    static constexpr std::chrono::milliseconds gather_delay{1};

    // Connects at once: a first failure is thrown (exit 4), as a wrong URL should not loop.
    BrokerLoop(ConfigPtr cfg, ConfigLoader loader, Connect connect, std::unique_ptr<Runner> runner = nullptr);
    ~BrokerLoop();
    // Turns until closed (after SIGTERM/SIGINT and the drain).
    listen::Summary run();
    // One round of the current state.
    void turn();

    BrokerState state() const noexcept { return state_; }
    Session& session() noexcept { return session_; }
    std::size_t in_flight() const noexcept { return inflight_.size(); }
    Journal& journal() noexcept { return *journal_; }

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

    // The rounds, one per state.
    void wait_to_connect();
    void consume(int cap);
    void drain_round();
    // The transitions.
    void connected();
    void lost(const Error& e);
    void press();
    void release();
    void begin_drain();
    void close();

    const AmqpSettings& amqp() const;
    int cap_ms() const;
    bool taking();
    std::size_t ack_batch() const;
    void open();
    void open_journal();
    void setup();
    void rebind(const AmqpSettings& before, const AmqpSettings& after);
    void wait(int fd, int timeout_ms, bool reading);
    void after_wait();
    std::optional<int> send_acks();  // ms until the next ack is due, or none waiting
    int receive();                   // deliveries handled
    void handle(amqp::Delivery& d);
    bool adopt(const amqp::Delivery& d);
    void complete(const Completion& c);
    void dead_letter(const InFlight& f, const std::vector<JobFailure>& failures);
    void dead_letter_invalid(amqp::Delivery& d, const std::string& topic, const std::string& why);
    void publish_dead(std::uint64_t tag, const std::string& body, const amqp::Properties& props);
    void settle_confirms();
    void journal_run(const Message& msg, const JobFailure& run, const char* outcome);

    Connect connect_;
    Session session_;
    std::unique_ptr<Journal> journal_;
    BrokerState state_ = BrokerState::connecting;
    std::unique_ptr<amqp::Channel> conn_;
    std::uint64_t generation_ = 0;
    AckWindow acks_;
    AckWindow::Sink sink_;
    amqp::Delivery delivery_;
    std::vector<Completion> completions_;
    std::optional<Clock::time_point> ack_due_;
    bool readable_ = true;                   // the last wait saw the socket readable (or a gather ended)
    Clock::time_point last_read_{};          // when receive() last ran
    std::chrono::milliseconds delay_{1000};  // next reconnect wait
    Clock::time_point retry_at_{};           // when connecting tries next
    Clock::time_point drain_until_{};        // drain_timeout after the drain began
    std::uint64_t next_token_ = 0;
    std::unordered_map<std::uint64_t, InFlight> inflight_;
    // Message id -> token of jobs still running for a delivery whose connection was lost.
    std::unordered_map<std::string, std::uint64_t> orphans_;
    std::map<std::uint64_t, std::uint64_t> confirms_;              // publish seq -> delivery tag
    std::unordered_map<std::uint64_t, std::size_t> dead_pending_;  // tag -> unconfirmed dead letters
};

}  // namespace flr::engine
