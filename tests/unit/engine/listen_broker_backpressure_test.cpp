// The broker loop's back-pressure: while enough jobs wait for a worker, deliveries
// stay at the broker, and heartbeats still go out.
#include "listen_fakes.hpp"

#include <gtest/gtest.h>

namespace flr::engine {
namespace {

TEST(ListenBrokerBackPressure, DeliveriesStayAtTheBrokerWhileTheBacklogIsFull) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(1, "prefetch: 100"), b, runner);
    const std::size_t limit = backlog_limit(1);  // 20 jobs waiting for the one worker
    const std::size_t total = limit + 15;
    for (std::size_t i = 0; i < total; ++i) {
        b.deliver(fmt::format("m{}", i));
    }
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::back_pressured; }));
    EXPECT_LE(l->session().dispatcher().queued(), limit);
    for (int i = 0; i < 3; ++i) {
        l->turn();
        EXPECT_LE(b.delivered, limit + runner->started.size());  // never more than the backlog unread
        EXPECT_EQ(l->state(), BrokerState::back_pressured);
    }
    EXPECT_EQ(l->session().dispatcher().queued(), limit);
    EXPECT_GT(b.ready.size(), 0u);
    int keepalives = b.keepalives;
    l->turn();
    EXPECT_GT(b.keepalives, keepalives);  // the connection is kept while nothing is read

    // Each finished job lets one more delivery in, until all are done.
    std::size_t finished = 0;
    while (finished < total) {
        ASSERT_TRUE(fake::turn_until(*l, [&] { return !runner->live.empty(); }));
        EXPECT_LE(b.delivered, limit + runner->started.size());
        runner->finish(runner->live.front().msg_id);
        ++finished;
    }
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 0; }));
    EXPECT_EQ(l->state(), BrokerState::consuming);
    EXPECT_TRUE(b.ready.empty());
    EXPECT_EQ(l->session().dispatcher().counters().succeeded, total);
}

}  // namespace
}  // namespace flr::engine
