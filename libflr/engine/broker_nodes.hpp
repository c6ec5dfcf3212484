// Private: the broker nodes flr-listen may connect to (amqp.url as a list: the nodes of
// a RabbitMQ cluster). One connection at a time: the first node at start, and after a
// loss the next node in the list, each tried in turn until one answers.
#pragma once

#include "core/amqp.hpp"
#include "engine/listen_config.hpp"

#include <flr/error.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace flr::engine {

// amqp.url and amqp.more_urls: every node, in the order they are tried.
std::vector<std::string> node_urls(const AmqpSettings& a);

void log_connected(const std::vector<std::string>& urls, std::size_t i);
void log_refused(const std::vector<std::string>& urls, std::size_t i, const RemoteError& e);

// Connects to urls[first], then the next ones in turn (wrapping round), until one
// answers: `connect(url)`'s result and the node's index. Throws the last node's
// RemoteError (or ConfigError) when none answers. Logs each refusal when there are
// several nodes.
template <class Connect>
auto connect_in_turn(const std::vector<std::string>& urls, std::size_t first, Connect connect)
    -> std::pair<decltype(connect(urls.front())), std::size_t> {
    std::exception_ptr last;
    for (std::size_t tried = 0; tried < urls.size(); ++tried) {
        std::size_t i = (first + tried) % urls.size();
        try {
            auto channel = connect(urls[i]);
            log_connected(urls, i);
            return {std::move(channel), i};
        } catch (const RemoteError& e) {
            log_refused(urls, i, e);
            last = std::current_exception();
        }
    }
    std::rethrow_exception(last);
}

class NodeList {
public:
    using ConnectTo = std::function<std::unique_ptr<amqp::Channel>(const std::string& url)>;

    // `urls` is not empty.
    NodeList(std::vector<std::string> urls, ConnectTo connect);

    // Connects to the node after the one connected last (the first node the first
    // time), trying every node once; throws the last node's RemoteError (or
    // ConfigError) when none answers.
    std::unique_ptr<amqp::Channel> connect();

    // The node of the last successful connection ("" before the first).
    const std::string& current() const noexcept;

private:
    std::vector<std::string> urls_;
    ConnectTo connect_;
    std::size_t next_ = 0;
    std::string current_;
};

}  // namespace flr::engine
