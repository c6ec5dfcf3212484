#include "engine/broker_nodes.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <exception>

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

NodeList::NodeList(std::vector<std::string> urls, ConnectTo connect)
    : urls_(std::move(urls)), connect_(std::move(connect)) {
    if (urls_.empty()) {
        throw LogicError("NodeList: no broker URL");
    }
}

std::unique_ptr<amqp::Channel> NodeList::connect() {
    std::exception_ptr last;
    for (std::size_t tried = 0; tried < urls_.size(); ++tried) {
        std::size_t i = (next_ + tried) % urls_.size();
        try {
            auto channel = connect_(urls_[i]);
            next_ = (i + 1) % urls_.size();
            current_ = urls_[i];
            if (urls_.size() > 1) {
                log::info(fmt::format("connected to {} (node {} of {})", host_port(urls_[i]), i + 1, urls_.size()));
            }
            return channel;
        } catch (const RemoteError& e) {
            if (urls_.size() > 1) {
                log::warning(fmt::format("broker node {} of {}: {}", i + 1, urls_.size(), e.what()));
            }
            last = std::current_exception();
        }
    }
    std::rethrow_exception(last);
}

const std::string& NodeList::current() const noexcept {
    return current_;
}

}  // namespace flr::engine
