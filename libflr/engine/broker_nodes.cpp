#include "engine/broker_nodes.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::engine {

std::vector<std::string> node_urls(const AmqpSettings& a) {
    std::vector<std::string> out{a.url};
    out.insert(out.end(), a.more_urls.begin(), a.more_urls.end());
    return out;
}

namespace {

std::string host_port(const std::string& url) {
    amqp::Url u = amqp::parse_url(url);
    return fmt::format("{}:{}", u.host, u.port);
}

}  // namespace

void log_connected(const std::vector<std::string>& urls, std::size_t i) {
    if (urls.size() > 1) {
        log::info(fmt::format("connected to {} (node {} of {})", host_port(urls[i]), i + 1, urls.size()));
    }
}

void log_refused(const std::vector<std::string>& urls, std::size_t i, const RemoteError& e) {
    if (urls.size() > 1) {
        log::warning(fmt::format("broker node {} of {}: {}", i + 1, urls.size(), e.what()));
    }
}

NodeList::NodeList(std::vector<std::string> urls, ConnectTo connect)
    : urls_(std::move(urls)), connect_(std::move(connect)) {
    if (urls_.empty()) {
        throw LogicError("NodeList: no broker URL");
    }
}

std::unique_ptr<amqp::Channel> NodeList::connect() {
    auto [channel, i] = connect_in_turn(urls_, next_, connect_);
    next_ = (i + 1) % urls_.size();
    current_ = urls_[i];
    return std::move(channel);
}

const std::string& NodeList::current() const noexcept {
    return current_;
}

}  // namespace flr::engine
