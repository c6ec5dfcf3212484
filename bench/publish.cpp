// listen-bench-publish: the benchmark's publisher and its reference meters (not a test).
//   listen-bench-publish publish URL TOPIC COUNT RATE SIZE   (RATE 0 = as fast as possible)
//   listen-bench-publish spawn-ceiling SECONDS [PROGRAM]      (posix_spawn PROGRAM, default /bin/true, in a loop;
//       prints spawns/s and this process's own CPU microseconds per spawn)
//   listen-bench-publish drain URL QUEUE COUNT [PROGRAM]
//       a minimal rabbitmq-c consumer (prefetch 500, one multiple ack per 50 messages)
//       takes COUNT messages from QUEUE and prints msgs/s; with PROGRAM it instead
//       posix_spawns PROGRAM SENT_NS for each message and waits for it (prefetch 1, an
//       ack per message): the floor of publish-to-action-start latency on this machine.
//       PROGRAM "-" records the latency of the receipt itself (no process).
//       It declares QUEUE (durable) bound to amq.topic with QUEUE.m; COUNT 0 only declares.
#include "core/amqp.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <unistd.h>

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

extern char** environ;

namespace {

long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int publish(const std::string& url, const std::string& topic, long count, double rate, std::size_t size) {
    flr::amqp::Options o;
    o.url = url;
    o.heartbeat = 0;
    flr::amqp::Connection conn(o);
    flr::amqp::Properties props;
    props.content_type = "application/json";
    props.content_encoding = "utf-8";
    props.headers = {{"fedora_messaging_schema", "base.message"},
                     {"fedora_messaging_severity", 20},
                     {"sent-at", "2026-01-01T00:00:00+00:00"}};
    std::string pad(size > 120 ? size - 120 : 1, 'x');
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    long step_ns = rate > 0 ? static_cast<long>(1e9 / rate) : 0;
    for (long i = 0; i < count; ++i) {
        if (step_ns) {
            next.tv_nsec += step_ns;
            while (next.tv_nsec >= 1000000000L) {
                next.tv_nsec -= 1000000000L;
                ++next.tv_sec;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
        }
        // Unique over runs: the journal skips an id whose route already succeeded.
        props.message_id = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(i);
        std::string body = "{\"n\": " + std::to_string(i) + ", \"sent_ns\": " + std::to_string(now_ns()) +
                           ", \"name\": \"pkg" + std::to_string(i % 97) + "\", \"pad\": \"" + pad + "\"}";
        conn.publish("amq.topic", topic, body, props);
    }
    conn.close();
    return 0;
}

int spawn_ceiling(double seconds, const char* program) {
    std::string arg0 = program;
    char* argv[] = {arg0.data(), nullptr};
    auto start = std::chrono::steady_clock::now();
    long n = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
        pid_t pid;
        if (posix_spawn(&pid, program, nullptr, nullptr, argv, environ) != 0) {
            return 1;
        }
        int status;
        waitpid(pid, &status, 0);
        ++n;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    double cpu_us = (self.ru_utime.tv_sec + self.ru_stime.tv_sec) * 1e6 + self.ru_utime.tv_usec + self.ru_stime.tv_usec;
    std::printf("%.1f %.1f\n", n / elapsed, cpu_us / static_cast<double>(n));
    return 0;
}

long long sent_ns_of(const amqp_bytes_t& body) {
    std::string b(static_cast<const char*>(body.bytes), body.len);
    auto at = b.find("\"sent_ns\": ");
    return at == std::string::npos ? 0 : std::atoll(b.c_str() + at + 11);
}

void must(amqp_rpc_reply_t r, const char* what) {
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        throw std::runtime_error(std::string("drain: ") + what + " failed");
    }
}

// Deliberately plain rabbitmq-c, as any small consumer would be written: the reference
// for what flr-listen adds on top of the broker.
int drain(const std::string& url, const std::string& queue, long count, const char* program) {
    flr::amqp::Url u = flr::amqp::parse_url(url);
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t* sock = amqp_tcp_socket_new(conn);
    if (!sock || amqp_socket_open(sock, u.host.c_str(), u.port) != AMQP_STATUS_OK) {
        throw std::runtime_error("drain: cannot connect");
    }
    must(amqp_login(conn, u.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, u.user.c_str(), "guest"), "login");
    amqp_channel_open(conn, 1);
    must(amqp_get_rpc_reply(conn), "channel.open");
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, amqp_empty_table);
    must(amqp_get_rpc_reply(conn), "queue.declare");
    std::string key = queue + ".m";
    amqp_queue_bind(conn, 1, amqp_cstring_bytes(queue.c_str()), amqp_cstring_bytes("amq.topic"),
                    amqp_cstring_bytes(key.c_str()), amqp_empty_table);
    must(amqp_get_rpc_reply(conn), "queue.bind");
    amqp_basic_qos(conn, 1, 0, program ? 1 : 500, 0);
    must(amqp_get_rpc_reply(conn), "basic.qos");
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    must(amqp_get_rpc_reply(conn), "basic.consume");
    std::string arg0 = program ? program : "";
    if (count == 0) {
        amqp_destroy_connection(conn);
        return 0;
    }
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < count; ++i) {
        amqp_envelope_t env;
        amqp_maybe_release_buffers(conn);
        must(amqp_consume_message(conn, &env, nullptr, 0), "consume");
        if (program && std::strcmp(program, "-") == 0) {
            long long lat_us = (now_ns() - sent_ns_of(env.message.body)) / 1000;
            if (const char* out = std::getenv("LISTEN_BENCH_OUT")) {
                if (FILE* f = std::fopen(out, "a")) {
                    std::fprintf(f, "%lld\n", lat_us);
                    std::fclose(f);
                }
            }
            amqp_basic_ack(conn, 1, env.delivery_tag, 0);
        } else if (program) {
            std::string sent = std::to_string(sent_ns_of(env.message.body));
            char* argv[] = {arg0.data(), sent.data(), nullptr};
            pid_t pid;
            if (posix_spawn(&pid, program, nullptr, nullptr, argv, environ) == 0) {
                int status;
                waitpid(pid, &status, 0);
            }
            amqp_basic_ack(conn, 1, env.delivery_tag, 0);
        } else if ((i + 1) % 50 == 0 || i + 1 == count) {
            amqp_basic_ack(conn, 1, env.delivery_tag, 1);
        }
        amqp_destroy_envelope(&env);
    }
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    std::printf("%.1f\n", count / elapsed);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "publish" && argc == 7) {
            return publish(argv[2], argv[3], std::atol(argv[4]), std::atof(argv[5]),
                           static_cast<std::size_t>(std::atol(argv[6])));
        }
        if (mode == "drain" && (argc == 5 || argc == 6)) {
            return drain(argv[2], argv[3], std::atol(argv[4]), argc == 6 ? argv[5] : nullptr);
        }
        if (mode == "spawn-ceiling" && (argc == 3 || argc == 4)) {
            return spawn_ceiling(std::atof(argv[2]), argc == 4 ? argv[3] : "/bin/true");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "listen-bench-publish: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr,
                 "usage: listen-bench-publish publish URL TOPIC COUNT RATE SIZE | spawn-ceiling SECONDS [PROGRAM] | "
                 "drain URL QUEUE COUNT [PROGRAM]\n");
    return 2;
}
