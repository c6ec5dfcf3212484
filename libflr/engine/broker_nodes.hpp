// Private: the broker nodes flr-listen may connect to (amqp.url as a list: the nodes of
// a RabbitMQ cluster). One connection at a time: the first node at start, and after a
// loss the next node in the list, each tried in turn until one answers.
#pragma once

#include "core/amqp.hpp"
#include "engine/listen_config.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace flr::engine {

// amqp.url and amqp.more_urls: every node, in the order they are tried.
std::vector<std::string> node_urls(const AmqpSettings& a);

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
