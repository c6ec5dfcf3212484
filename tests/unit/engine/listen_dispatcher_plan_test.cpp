// The dispatcher's scheduling with a fake runner: no processes, the test decides when
// and how each run ends.
#include "engine/dispatcher.hpp"
#include "engine/listen_config.hpp"
#include "listen_fakes.hpp"

#include <gtest/gtest.h>

namespace flr::engine {
namespace {

struct Plan {
    ListenConfig cfg;
    fake::Runner* runner = nullptr;
    std::unique_ptr<Dispatcher> d;
    std::vector<Completion> done;

    Plan(const std::string& routes, std::size_t workers) : cfg(load_listen_config(Config::parse(routes, "t.yaml"))) {
        auto r = std::make_unique<fake::Runner>();
        runner = r.get();
        DispatchSettings s;
        s.workers = workers;
        s.backoff = false;
        d = std::make_unique<Dispatcher>(s, std::move(r));
    }
    void submit(std::uint64_t token, const char* id, const char* body, std::vector<std::size_t> routes) {
        auto m = std::make_shared<Message>();
        m->id = id;
        m->topic = "t";
        m->body = Json::parse(body);
        std::vector<const Route*> rs;
        for (auto i : routes) {
            rs.push_back(&cfg.routes[i]);
        }
        d->submit(token, m, rs);
    }
    // One loop round after a run ended: reap, start what is ready, take the completions.
    void round() {
        d->reap();
        d->start_ready();
        std::vector<Completion> got;
        d->take_completions(got);
        for (auto& c : got) {
            done.push_back(std::move(c));
        }
    }
};

TEST(ListenDispatcherPlan, AFailedRunStartsAgainWithTheNextAttemptThenFails) {
    Plan p("routes: [{name: r, topic: t, command: [x], max_attempts: 3}]", 1);
    p.submit(1, "m1", "{}", {0});
    p.round();
    for (int attempt = 1; attempt <= 3; ++attempt) {
        ASSERT_EQ(p.runner->live.size(), 1u);
        EXPECT_EQ(p.runner->live[0].attempt, attempt);
        EXPECT_TRUE(p.done.empty());
        p.runner->finish("m1", 2);
        p.round();
    }
    ASSERT_EQ(p.done.size(), 1u);
    EXPECT_FALSE(p.done[0].ok);
    ASSERT_EQ(p.done[0].failures.size(), 1u);
    EXPECT_EQ(p.done[0].failures[0].status, "exit 2");
    EXPECT_EQ(p.done[0].failures[0].attempts, 3);
    EXPECT_EQ(p.done[0].failures[0].output, "m1 exits 2\n");
    EXPECT_EQ(p.d->counters().retried, 2u);
}

TEST(ListenDispatcherPlan, AnOrderingKeyHoldsTheNextJobUntilTheFirstEnds) {
    Plan p("routes: [{name: r, topic: t, command: [x], ordering_key: \"{body.k}\"}]", 4);
    p.submit(1, "a1", R"({"k": "a"})", {0});
    p.submit(2, "a2", R"({"k": "a"})", {0});
    p.submit(3, "b1", R"({"k": "b"})", {0});
    p.round();
    ASSERT_EQ(p.runner->live.size(), 2u);
    EXPECT_EQ(p.runner->live[0].msg_id, "a1");
    EXPECT_EQ(p.runner->live[1].msg_id, "b1");
    p.runner->finish("a1");
    p.round();
    ASSERT_EQ(p.runner->live.size(), 2u);
    EXPECT_EQ(p.runner->live[1].msg_id, "a2");
    ASSERT_EQ(p.done.size(), 1u);
    EXPECT_EQ(p.done[0].token, 1u);
    EXPECT_TRUE(p.done[0].ok);
}

TEST(ListenDispatcherPlan, CompletionsWaitForTheLoopInTheOrderMessagesFinish) {
    Plan p("routes: [{name: r, topic: t, command: [x]}, {name: s, topic: t, command: [y]}]", 4);
    p.submit(1, "m1", "{}", {0, 1});
    p.submit(2, "m2", "{}", {0});
    p.round();
    ASSERT_EQ(p.runner->live.size(), 3u);
    p.runner->finish("m1");  // one of m1's two jobs
    p.runner->finish("m2");
    p.d->reap();
    EXPECT_EQ(p.d->messages_in_flight(), 1u);
    p.round();
    ASSERT_EQ(p.done.size(), 1u);
    EXPECT_EQ(p.done[0].token, 2u);
    p.runner->finish("m1");
    p.round();
    ASSERT_EQ(p.done.size(), 2u);
    EXPECT_EQ(p.done[1].token, 1u);
    EXPECT_EQ(p.d->running(), 0u);
}

TEST(ListenDispatcherPlan, PausedStartsNothing) {
    Plan p("routes: [{name: r, topic: t, command: [x]}]", 2);
    p.d->set_paused(true);
    p.submit(1, "m1", "{}", {0});
    p.round();
    EXPECT_TRUE(p.runner->started.empty());
    EXPECT_EQ(p.d->queued(), 1u);
    p.d->set_paused(false);
    p.round();
    EXPECT_EQ(p.runner->started.size(), 1u);
}

TEST(ListenDispatcherPlan, ARunThatCannotStartIsRetriedThenFails) {
    Plan p("routes: [{name: unstartable, topic: t, command: [x], max_attempts: 2}]", 1);
    p.submit(1, "m1", "{}", {0});
    p.round();
    p.round();
    ASSERT_EQ(p.done.size(), 1u);
    EXPECT_FALSE(p.done[0].ok);
    EXPECT_EQ(p.done[0].failures[0].status, "error: cannot start: cannot start (fake)");
    EXPECT_EQ(p.done[0].failures[0].attempts, 2);
    EXPECT_EQ(p.d->counters().started, 2u);
}

}  // namespace
}  // namespace flr::engine
