// Dead letters of flr-listen: list, show, re-inject and purge the messages that
// flr-listen published to its dead-letter queue (flr-deadletter(1)).
#pragma once

#include <flr/config.hpp>
#include <flr/export.hpp>

#include <memory>
#include <string>
#include <vector>

namespace flr::deadletter {

struct Letter {
    std::string id;      // message id ("" when the publisher set none)
    std::string route;   // the failed route ("" for an invalid message)
    std::string reason;  // why it was dead-lettered
    std::string status;  // "exit 1", "timed out", ...
    int exit_status = -1;
    int attempts = 0;
    std::string output;     // the last lines of the action's output
    std::string topic;      // the original routing key
    std::string exchange;   // the original exchange
    std::string queue;      // the work queue it came from
    std::string failed_at;  // ISO 8601
    std::string headers;    // all headers, a JSON object (text)
    std::string body;       // the body as published
};

// Which letters a verb acts on: all, or those whose id or route is listed.
struct Selection {
    bool all = false;
    std::vector<std::string> ids;
    std::vector<std::string> routes;
    bool matches(const Letter& letter) const;
};

class FLR_EXPORT Store {
public:
    // The amqp section of an flr-listen configuration (flr-listen.yaml(5)); throws ConfigError.
    explicit Store(const Config& listen_config);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    const std::string& queue() const noexcept;  // the dead-letter queue
    std::vector<Letter> list(const Selection& selection);
    // Publish each selected letter back to its work queue (only its failed route runs
    // again); it leaves the dead-letter queue only once the broker confirmed the publish.
    std::vector<Letter> reinject(const Selection& selection, bool dry_run);
    std::vector<Letter> purge(const Selection& selection, bool dry_run);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace flr::deadletter
