#include "core/amqp.hpp"

#include "core/amqp_table.hpp"

#include <flr/error.hpp>

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

namespace flr::amqp {
namespace {

constexpr amqp_channel_t channel = 1;

std::string bytes_str(amqp_bytes_t b) {
    return b.len ? std::string(static_cast<const char*>(b.bytes), b.len) : "";
}

amqp_bytes_t as_bytes(const std::string& s) {
    return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string describe(const amqp_rpc_reply_t& r) {
    switch (r.reply_type) {
        case AMQP_RESPONSE_NORMAL:
            return "ok";
        case AMQP_RESPONSE_NONE:
            return "no reply";
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return amqp_error_string2(r.library_error);
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
                auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
                return fmt::format("connection closed by the broker: {} {}", m->reply_code, bytes_str(m->reply_text));
            }
            if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
                auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
                return fmt::format("channel closed by the broker: {} {}", m->reply_code, bytes_str(m->reply_text));
            }
            return fmt::format("server error (method 0x{:08x})", r.reply.id);
    }
    return "unknown reply";
}

void read_properties(const amqp_basic_properties_t& p, Properties& out) {
    out = Properties{};
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
        out.message_id = bytes_str(p.message_id);
    if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
        out.content_type = bytes_str(p.content_type);
    if (p._flags & AMQP_BASIC_CONTENT_ENCODING_FLAG)
        out.content_encoding = bytes_str(p.content_encoding);
    if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG)
        out.delivery_mode = p.delivery_mode;
    if (p._flags & AMQP_BASIC_HEADERS_FLAG)
        out.headers = table_to_json(p.headers);
}

}  // namespace

struct Connection::Impl {
    amqp_connection_state_t conn = nullptr;
    bool open = false;
    bool confirms = false;
    std::uint64_t published = 0;  // sequence number of the last publish
    std::vector<Confirm> confirmed;
    std::vector<std::string> consumer_tags;
    std::chrono::steady_clock::time_point last_keepalive{};

    void check(const amqp_rpc_reply_t& r, const std::string& what) {
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            open = open && r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION;
            throw RemoteError("amqp", fmt::format("{}: {}", what, describe(r)));
        }
    }
    void check_status(int status, const std::string& what) {
        if (status != AMQP_STATUS_OK) {
            throw RemoteError("amqp", fmt::format("{}: {}", what, amqp_error_string2(status)));
        }
    }
    void rpc(const std::string& what) { check(amqp_get_rpc_reply(conn), what); }
    bool handle_unexpected_frame();
    bool handle_frame(const amqp_frame_t& frame);
};

Url parse_url(const std::string& url) {
    std::vector<char> buf(url.begin(), url.end());
    buf.push_back('\0');
    amqp_connection_info info{};
    if (amqp_parse_url(buf.data(), &info) != AMQP_STATUS_OK) {
        throw ConfigError(fmt::format("bad AMQP URL \"{}\" (expected amqp[s]://user@host[:port]/vhost)", url));
    }
    Url u;
    u.tls = info.ssl != 0;
    u.host = info.host;
    u.port = info.port;
    u.user = info.user;
    u.vhost = info.vhost && *info.vhost ? info.vhost : "/";
    u.has_password = url.find('@') != std::string::npos &&
                     url.substr(0, url.find('@')).find(':', url.find("://") + 3) != std::string::npos;
    return u;
}

Connection::Connection(const Options& o) : impl_(std::make_unique<Impl>()) {
    Url url = parse_url(o.url);
    impl_->conn = amqp_new_connection();
    amqp_socket_t* sock = nullptr;
    if (url.tls) {
        sock = amqp_ssl_socket_new(impl_->conn);  // initialises OpenSSL only now
        if (!sock) {
            throw RemoteError("amqp", "cannot create a TLS socket");
        }
        amqp_ssl_socket_set_verify_peer(sock, 1);
        amqp_ssl_socket_set_verify_hostname(sock, 1);
        if (!o.ca.empty()) {
            impl_->check_status(amqp_ssl_socket_set_cacert(sock, o.ca.c_str()), "TLS CA " + o.ca);
        }
        if (!o.cert.empty()) {
            impl_->check_status(amqp_ssl_socket_set_key(sock, o.cert.c_str(), o.key.c_str()),
                                "TLS client key " + o.key);
        }
    } else {
        sock = amqp_tcp_socket_new(impl_->conn);
    }
    std::string where = fmt::format("{}:{}", url.host, url.port);
    timeval timeout{o.connect_timeout, 0};
    impl_->check_status(amqp_socket_open_noblock(sock, url.host.c_str(), url.port, &timeout), "connect to " + where);
    // Acks and small publishes go out at once, never held back by Nagle's algorithm.
    int one = 1;
    ::setsockopt(amqp_get_sockfd(impl_->conn), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    amqp_table_entry_t prop{amqp_cstring_bytes("connection_name"), {}};
    prop.value.kind = AMQP_FIELD_KIND_UTF8;
    prop.value.value.bytes = as_bytes(o.connection_name);
    amqp_table_t props{1, &prop};
    std::string password = o.password ? o.password->reveal() : "guest";
    amqp_rpc_reply_t r =
        o.external_auth ? amqp_login_with_properties(impl_->conn, url.vhost.c_str(), 0, 131072, o.heartbeat, &props,
                                                     AMQP_SASL_METHOD_EXTERNAL, url.user.c_str())
                        : amqp_login_with_properties(impl_->conn, url.vhost.c_str(), 0, 131072, o.heartbeat, &props,
                                                     AMQP_SASL_METHOD_PLAIN, url.user.c_str(), password.c_str());
    impl_->check(r, fmt::format("log in to {} as {}", where, url.user));
    impl_->open = true;
    amqp_channel_open(impl_->conn, channel);
    impl_->rpc("open channel");
}

Connection::~Connection() {
    close();
    if (impl_->conn) {
        amqp_destroy_connection(impl_->conn);
    }
}

void Connection::close() noexcept {
    if (impl_->open) {
        impl_->open = false;
        amqp_channel_close(impl_->conn, channel, AMQP_REPLY_SUCCESS);
        amqp_connection_close(impl_->conn, AMQP_REPLY_SUCCESS);
    }
}

int Connection::fd() const {
    return amqp_get_sockfd(impl_->conn);
}

void Connection::declare_queue(const Queue& q) {
    TableBuilder args;
    if (q.type != "classic") {
        args.add_string("x-queue-type", q.type);
    }
    if (!q.dead_letter_exchange.empty()) {
        args.add_string("x-dead-letter-exchange", q.dead_letter_exchange);
        args.add_string("x-dead-letter-routing-key", q.dead_letter_key);
    }
    if (q.single_active_consumer) {
        args.add_json({{"x-single-active-consumer", true}});
    }
    if (q.delivery_limit > 0 && q.type == "quorum") {
        args.add_json({{"x-delivery-limit", q.delivery_limit}});
    }
    amqp_queue_declare(impl_->conn, channel, as_bytes(q.name), 0, q.durable, q.exclusive, q.auto_delete, args.table());
    impl_->rpc("declare queue " + q.name);
}

void Connection::check_queue(const std::string& name) {
    amqp_queue_declare(impl_->conn, channel, as_bytes(name), 1, 0, 0, 0, amqp_empty_table);
    impl_->rpc("queue " + name + " (passive declare)");
}

void Connection::bind(const std::string& queue, const std::string& exchange, const std::string& key) {
    amqp_queue_bind(impl_->conn, channel, as_bytes(queue), as_bytes(exchange), as_bytes(key), amqp_empty_table);
    impl_->rpc(fmt::format("bind {} to {} with {}", queue, exchange, key));
}

void Connection::unbind(const std::string& queue, const std::string& exchange, const std::string& key) {
    amqp_queue_unbind(impl_->conn, channel, as_bytes(queue), as_bytes(exchange), as_bytes(key), amqp_empty_table);
    impl_->rpc(fmt::format("unbind {} from {} with {}", queue, exchange, key));
}

void Connection::declare_exchange(const std::string& name, const std::string& type) {
    declare_exchange(Exchange{name, type});
}

void Connection::declare_exchange(const Exchange& x) {
    TableBuilder args;
    args.add_json(x.arguments);
    amqp_exchange_declare(impl_->conn, channel, as_bytes(x.name), as_bytes(x.type), 0, /*durable=*/1, 0, 0,
                          args.table());
    impl_->rpc("declare exchange " + x.name);
}

void Connection::bind_exchange(const std::string& destination, const std::string& source, const std::string& key) {
    amqp_exchange_bind(impl_->conn, channel, as_bytes(destination), as_bytes(source), as_bytes(key), amqp_empty_table);
    impl_->rpc(fmt::format("bind exchange {} to {} with {}", destination, source, key));
}

void Connection::unbind_exchange(const std::string& destination, const std::string& source, const std::string& key) {
    amqp_exchange_unbind(impl_->conn, channel, as_bytes(destination), as_bytes(source), as_bytes(key),
                         amqp_empty_table);
    impl_->rpc(fmt::format("unbind exchange {} from {} with {}", destination, source, key));
}

std::uint32_t Connection::message_count(const std::string& name) {
    auto* ok = amqp_queue_declare(impl_->conn, channel, as_bytes(name), 1, 0, 0, 0, amqp_empty_table);
    impl_->rpc("queue " + name + " (passive declare)");
    return ok ? ok->message_count : 0;
}

void Connection::qos(std::uint16_t prefetch) {
    amqp_basic_qos(impl_->conn, channel, 0, prefetch, 0);
    impl_->rpc("set prefetch");
}

void Connection::consume(const std::string& queue) {
    auto* ok = amqp_basic_consume(impl_->conn, channel, as_bytes(queue), amqp_empty_bytes, 0, /*no_ack=*/0, 0,
                                  amqp_empty_table);
    impl_->rpc("consume " + queue);
    if (ok) {
        impl_->consumer_tags.push_back(bytes_str(ok->consumer_tag));
    }
}

void Connection::cancel() {
    for (const std::string& tag : std::exchange(impl_->consumer_tags, {})) {
        amqp_basic_cancel(impl_->conn, channel, as_bytes(tag));
        impl_->rpc("cancel the consumer");
    }
}

bool Connection::get(const std::string& queue, Delivery& out) {
    amqp_rpc_reply_t r = amqp_basic_get(impl_->conn, channel, as_bytes(queue), /*no_ack=*/0);
    impl_->check(r, "get from " + queue);
    if (r.reply.id != AMQP_BASIC_GET_OK_METHOD) {
        return false;
    }
    auto* ok = static_cast<amqp_basic_get_ok_t*>(r.reply.decoded);
    out.tag = ok->delivery_tag;
    out.redelivered = ok->redelivered != 0;
    out.exchange = bytes_str(ok->exchange);
    out.routing_key = bytes_str(ok->routing_key);
    amqp_message_t message;
    impl_->check(amqp_read_message(impl_->conn, channel, &message, 0), "read message from " + queue);
    out.body = bytes_str(message.body);
    read_properties(message.properties, out.props);
    amqp_destroy_message(&message);
    return true;
}

void Connection::confirm_select() {
    amqp_confirm_select(impl_->conn, channel);
    impl_->rpc("enable publisher confirms");
    impl_->confirms = true;
    impl_->published = 0;
}

std::vector<Confirm> Connection::take_confirms() {
    std::vector<Confirm> out;
    out.swap(impl_->confirmed);
    return out;
}

bool Connection::wait_confirms(int timeout_ms) {
    bool all_ok = true;
    std::uint64_t done = 0;
    auto settle = [&] {
        for (const Confirm& c : take_confirms()) {
            all_ok = all_ok && c.ok;
            done = std::max(done, c.seq);
        }
    };
    settle();
    while (done < impl_->published) {
        timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        amqp_frame_t frame;
        int status = amqp_simple_wait_frame_noblock(impl_->conn, &frame, &tv);
        if (status == AMQP_STATUS_TIMEOUT) {
            throw RemoteError("amqp", "no publisher confirm from the broker in time");
        }
        impl_->check_status(status, "wait for publisher confirms");
        impl_->handle_frame(frame);
        settle();
    }
    return all_ok;
}

bool Connection::buffered() const {
    return amqp_frames_enqueued(impl_->conn) || amqp_data_in_buffer(impl_->conn);
}

// A frame other than a delivery: publisher acks and returns are skipped, a close is fatal.
bool Connection::Impl::handle_unexpected_frame() {
    amqp_frame_t frame;
    timeval zero{0, 0};
    int status = amqp_simple_wait_frame_noblock(conn, &frame, &zero);
    if (status == AMQP_STATUS_TIMEOUT) {
        return false;
    }
    check_status(status, "read frame");
    return handle_frame(frame);
}

bool Connection::Impl::handle_frame(const amqp_frame_t& frame) {
    if (frame.frame_type != AMQP_FRAME_METHOD) {
        return true;
    }
    switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
            auto* m = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
            confirmed.push_back({m->delivery_tag, m->multiple != 0, true});
            return true;
        }
        case AMQP_BASIC_NACK_METHOD: {
            auto* m = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
            confirmed.push_back({m->delivery_tag, m->multiple != 0, false});
            return true;
        }
        case AMQP_BASIC_RETURN_METHOD: {
            amqp_message_t message;
            check(amqp_read_message(conn, frame.channel, &message, 0), "read returned message");
            amqp_destroy_message(&message);
            return true;
        }
        case AMQP_CHANNEL_CLOSE_METHOD:
        case AMQP_CONNECTION_CLOSE_METHOD: {
            amqp_rpc_reply_t r{};
            r.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
            r.reply = frame.payload.method;
            open = false;
            throw RemoteError("amqp", describe(r));
        }
        default:
            return true;
    }
}

bool Connection::next(Delivery& out) {
    for (;;) {
        amqp_maybe_release_buffers(impl_->conn);
        amqp_envelope_t env;
        timeval zero{0, 0};
        amqp_rpc_reply_t r = amqp_consume_message(impl_->conn, &env, &zero, 0);
        if (r.reply_type == AMQP_RESPONSE_NORMAL) {
            out.tag = env.delivery_tag;
            out.redelivered = env.redelivered != 0;
            out.exchange = bytes_str(env.exchange);
            out.routing_key = bytes_str(env.routing_key);
            out.body = bytes_str(env.message.body);
            read_properties(env.message.properties, out.props);
            amqp_destroy_envelope(&env);
            return true;
        }
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
            return false;
        }
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            if (!impl_->handle_unexpected_frame()) {
                return false;
            }
            continue;
        }
        impl_->open = false;
        impl_->check(r, "consume");
    }
}

void Connection::keepalive() {
    int heartbeat = amqp_get_heartbeat(impl_->conn);
    auto now = std::chrono::steady_clock::now();
    if (heartbeat <= 0 || now - impl_->last_keepalive < std::chrono::milliseconds(heartbeat * 500)) {
        return;
    }
    amqp_frame_t frame{};
    frame.frame_type = AMQP_FRAME_HEARTBEAT;
    frame.channel = 0;
    impl_->check_status(amqp_send_frame(impl_->conn, &frame), "send a heartbeat");
    impl_->last_keepalive = now;
}

void Connection::ack(std::uint64_t tag, bool multiple) {
    impl_->check_status(amqp_basic_ack(impl_->conn, channel, tag, multiple), "ack");
}

void Connection::reject(std::uint64_t tag, bool requeue) {
    impl_->check_status(amqp_basic_reject(impl_->conn, channel, tag, requeue), "reject");
}

std::uint64_t Connection::publish(const std::string& exchange, const std::string& key, const std::string& body,
                                  const Properties& props) {
    TableBuilder headers;
    headers.add_json(props.headers);
    amqp_basic_properties_t p{};
    p._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_HEADERS_FLAG;
    p.delivery_mode = props.delivery_mode;
    p.headers = headers.table();
    if (!props.message_id.empty()) {
        p._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        p.message_id = as_bytes(props.message_id);
    }
    if (!props.content_type.empty()) {
        p._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
        p.content_type = as_bytes(props.content_type);
    }
    if (!props.content_encoding.empty()) {
        p._flags |= AMQP_BASIC_CONTENT_ENCODING_FLAG;
        p.content_encoding = as_bytes(props.content_encoding);
    }
    impl_->check_status(
        amqp_basic_publish(impl_->conn, channel, as_bytes(exchange), as_bytes(key), 0, 0, &p, as_bytes(body)),
        "publish");
    return impl_->confirms ? ++impl_->published : 0;
}

}  // namespace flr::amqp
