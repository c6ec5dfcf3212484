// Private: the dead letters of flr-listen. A job that failed its last attempt, or an
// invalid message, is published to the dead-letter exchange with the original body,
// properties and headers plus x-flr-* headers that say what happened (flr-listen(8)).
#pragma once

#include "core/amqp.hpp"
#include "engine/dispatcher.hpp"

#include <string>

namespace flr::engine::dead {

// Header names (also read by flr-deadletter).
inline constexpr const char* route = "x-flr-route";              // the failed route ("" for invalid)
inline constexpr const char* status = "x-flr-status";            // "exit 1", "timed out", ...
inline constexpr const char* exit_status = "x-flr-exit-status";  // int, -1 if it did not exit
inline constexpr const char* attempts = "x-flr-attempts";
inline constexpr const char* output = "x-flr-output";      // last lines of output
inline constexpr const char* reason = "x-flr-reason";      // why it is here
inline constexpr const char* queue = "x-flr-queue";        // the work queue
inline constexpr const char* exchange = "x-flr-exchange";  // where it was first published
inline constexpr const char* topic = "x-flr-topic";        // its routing key there
inline constexpr const char* failed_at = "x-flr-failed-at";
inline constexpr const char* batch = "x-flr-batch";  // the failed batch's id (batched routes)
// Set by a re-injection: the routes to run again (a JSON array of names).
inline constexpr const char* only_routes = "x-flr-routes";

struct Origin {
    std::string queue, exchange, topic;
};

// The properties of a dead letter for a failed job (failure) or an invalid message.
amqp::Properties for_failure(const amqp::Properties& original, const Origin& origin, const JobFailure& failure);
amqp::Properties for_invalid(const amqp::Properties& original, const Origin& origin, const std::string& why);

// Drop the x-flr-* headers (what actions see of a re-injected message).
void strip(nlohmann::json& headers);

}  // namespace flr::engine::dead
