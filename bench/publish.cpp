// listen-bench-publish: the benchmark's publisher and spawn-ceiling meter (not a test).
//   listen-bench-publish publish URL TOPIC COUNT RATE SIZE   (RATE 0 = as fast as possible)
//   listen-bench-publish spawn-ceiling SECONDS [PROGRAM]      (posix_spawn PROGRAM, default /bin/true, in a loop)
#include "core/amqp.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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
        props.message_id = "bench-" + std::to_string(i);
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
    std::printf("%.1f\n", n / elapsed);
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
        if (mode == "spawn-ceiling" && (argc == 3 || argc == 4)) {
            return spawn_ceiling(std::atof(argv[2]), argc == 4 ? argv[3] : "/bin/true");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "listen-bench-publish: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr,
                 "usage: listen-bench-publish publish URL TOPIC COUNT RATE SIZE | spawn-ceiling SECONDS [PROGRAM]\n");
    return 2;
}
