#include "../test_util.hpp"
#include "engine/dispatcher.hpp"
#include "engine/listen_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace flr::engine {
namespace {

struct Harness {
    test::TempDir dir;
    std::vector<std::pair<std::uint64_t, bool>> done;
    std::vector<JobFailure> failures;
    std::size_t peak = 0;
    Dispatcher d;

    static DispatchSettings settings(std::size_t workers, const std::string& dir, bool backoff) {
        DispatchSettings s;
        s.workers = workers;
        s.kill_grace = std::chrono::milliseconds(100);
        s.env.vars_dir = dir;
        s.backoff = backoff;
        return s;
    }

    explicit Harness(std::size_t workers, bool backoff = false) : d(settings(workers, dir.path().string(), backoff)) {}

    // The finished messages, as the owner's loop takes them after each wait.
    void collect() {
        std::vector<Completion> finished;
        d.take_completions(finished);
        for (const auto& c : finished) {
            done.emplace_back(c.token, c.ok);
            failures.insert(failures.end(), c.failures.begin(), c.failures.end());
        }
    }

    // The event loop in miniature: start, wait for output, reap, enforce timeouts.
    void run_until_idle() {
        auto give_up = Clock::now() + std::chrono::seconds(20);
        while ((d.messages_in_flight() > 0) && Clock::now() < give_up) {
            d.start_ready();
            peak = std::max(peak, d.running());
            std::vector<pollfd> fds;
            d.poll_fds(fds);
            ::poll(fds.data(), fds.size(), 5);
            d.on_output(fds.data(), fds.size());
            d.reap();
            d.check_timeouts(Clock::now());
            collect();
        }
        collect();
    }
};

ListenConfig routes(const std::string& yaml) {
    return load_listen_config(Config::parse(yaml, "t.yaml"));
}

std::shared_ptr<const Message> message(const char* body) {
    auto m = std::make_shared<Message>();
    m->topic = "t";
    m->body = Json::parse(body);
    return m;
}

}  // namespace

TEST(ListenDispatcher, RetriesUpToMaxAttemptsThenFails) {
    auto cfg = routes("routes: [{name: r, topic: t, command: [/bin/false], max_attempts: 3}]");
    Harness h(2);
    h.d.submit(1, message("{}"), {&cfg.routes[0]});
    h.run_until_idle();
    EXPECT_EQ(h.done, (std::vector<std::pair<std::uint64_t, bool>>{{1, false}}));
    EXPECT_EQ(h.d.counters().started, 3u);
    EXPECT_EQ(h.d.counters().retried, 2u);
    ASSERT_EQ(h.failures.size(), 1u);
    EXPECT_EQ(h.failures[0].route, "r");
    EXPECT_EQ(h.failures[0].exit_code, 1);
    EXPECT_EQ(h.failures[0].attempts, 3);
    EXPECT_EQ(h.d.counters().failed, 1u);
}

TEST(ListenDispatcher, AMessageIsDoneWhenAllItsJobsAre) {
    auto cfg = routes(R"(routes:
  - {name: ok, topic: t, command: [/bin/true]}
  - {name: bad, topic: t, command: [/bin/false], max_attempts: 1}
  - {name: slow, topic: t, command: [/bin/sleep, "0.2"]})");
    Harness h(4);
    h.d.submit(7, message("{}"), {&cfg.routes[0], &cfg.routes[2]});
    h.d.submit(8, message("{}"), {&cfg.routes[0], &cfg.routes[1]});
    h.run_until_idle();
    EXPECT_EQ(h.done, (std::vector<std::pair<std::uint64_t, bool>>{{8, false}, {7, true}}));
    EXPECT_EQ(h.d.counters().succeeded, 3u);
}

TEST(ListenDispatcher, SameOrderingKeyRunsOneAtATimeInOrder) {
    auto cfg = routes(R"(routes:
  - {name: r, topic: t, command: [/bin/sleep, "0.05"], ordering_key: "{body.k}"})");
    Harness h(4);
    for (std::uint64_t i = 1; i <= 4; ++i) {
        h.d.submit(i, message(R"({"k": "same"})"), {&cfg.routes[0]});
    }
    h.run_until_idle();
    EXPECT_EQ(h.peak, 1u);
    EXPECT_EQ(h.done, (std::vector<std::pair<std::uint64_t, bool>>{{1, true}, {2, true}, {3, true}, {4, true}}));

    Harness parallel(4);
    for (std::uint64_t i = 1; i <= 4; ++i) {
        parallel.d.submit(i, message(i % 2 ? R"({"k": "a"})" : R"({"k": "b"})"), {&cfg.routes[0]});
    }
    parallel.run_until_idle();
    EXPECT_EQ(parallel.peak, 2u);
}

TEST(ListenDispatcher, WorkersBoundConcurrency) {
    auto cfg = routes("routes: [{name: r, topic: t, command: [/bin/sleep, \"0.05\"]}]");
    Harness h(3);
    for (std::uint64_t i = 1; i <= 9; ++i) {
        h.d.submit(i, message("{}"), {&cfg.routes[0]});
    }
    h.run_until_idle();
    EXPECT_EQ(h.peak, 3u);
    EXPECT_EQ(h.done.size(), 9u);
}

TEST(ListenDispatcher, TimeoutKillsAndFails) {
    auto cfg = routes("routes: [{name: r, topic: t, command: [/bin/sleep, \"30\"], timeout: 200ms, max_attempts: 1}]");
    Harness h(1);
    auto start = Clock::now();
    h.d.submit(1, message("{}"), {&cfg.routes[0]});
    h.run_until_idle();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(h.done, (std::vector<std::pair<std::uint64_t, bool>>{{1, false}}));
}

TEST(ListenDispatcher, BadPlaceholderFailsWithoutRetry) {
    auto cfg = routes("routes: [{name: r, topic: t, command: [/bin/echo, \"{body.missing}\"]}]");
    Harness h(1);
    h.d.submit(1, message("{}"), {&cfg.routes[0]});
    h.run_until_idle();
    EXPECT_EQ(h.done, (std::vector<std::pair<std::uint64_t, bool>>{{1, false}}));
    EXPECT_EQ(h.d.counters().retried, 0u);
}

TEST(ListenDispatcher, RetriesWaitForACappedExponentialBackoff) {
    auto cfg = routes(
        "routes: [{name: r, topic: t, command: [/bin/sh, -c, 'echo out-$$; exit 7'], max_attempts: 4,"
        " retry_delay: 200ms, retry_delay_max: 300ms}]");
    EXPECT_EQ(backoff_delay(cfg.routes[0], 1).count(), 200);
    EXPECT_EQ(backoff_delay(cfg.routes[0], 2).count(), 300);
    EXPECT_EQ(backoff_delay(cfg.routes[0], 9).count(), 300);
    Harness h(1, true);
    auto start = Clock::now();
    h.d.submit(1, message("{}"), {&cfg.routes[0]});
    h.run_until_idle();
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    EXPECT_GE(waited, 200 + 300 + 300);
    EXPECT_EQ(h.d.counters().started, 4u);
    ASSERT_EQ(h.failures.size(), 1u);
    EXPECT_EQ(h.failures[0].exit_code, 7);
    EXPECT_EQ(h.failures[0].attempts, 4);
    EXPECT_EQ(h.failures[0].output.rfind("out-", 0), 0u);
}

TEST(ListenDispatcher, ABackoffWaitDoesNotHoldOtherJobs) {
    auto cfg = routes(
        "routes: [{name: bad, topic: t, command: [/bin/false], max_attempts: 2, retry_delay: 2s},"
        " {name: good, topic: t, command: [/bin/true]}]");
    Harness h(1, true);
    h.d.submit(1, message("{}"), {&cfg.routes[0]});
    h.d.submit(2, message("{}"), {&cfg.routes[1]});
    auto start = Clock::now();
    while (h.done.empty() && Clock::now() - start < std::chrono::seconds(5)) {
        h.d.start_ready();
        ::poll(nullptr, 0, 5);
        h.d.reap();
        h.d.check_timeouts(Clock::now());
        h.collect();
    }
    EXPECT_EQ(h.done, (std::vector<std::pair<std::uint64_t, bool>>{{2, true}}));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
    EXPECT_EQ(h.d.delayed(), 1u);
}

}  // namespace flr::engine
