// The broker loop's drain (SIGTERM): the consumer is cancelled, nothing new starts,
// running jobs finish and are acked, the rest stays unacked for redelivery.
#include "listen_fakes.hpp"

#include <gtest/gtest.h>

#include <signal.h>

namespace flr::engine {
namespace {

using Sent = std::vector<std::string>;

TEST(ListenBrokerDrain, RunningJobsFinishAndAreAckedQueuedOnesAreLeft) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(1, "prefetch: 8"), b, runner);
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1 && l->in_flight() == 2; }));
    ::raise(SIGTERM);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::draining; }));
    EXPECT_EQ(b.sent_matching("cancel"), (Sent{"c1 cancel"}));
    b.deliver("m3");  // already on its way: read, not handled
    for (int i = 0; i < 3; ++i) {
        l->turn();
    }
    EXPECT_EQ(l->state(), BrokerState::draining);
    EXPECT_TRUE(b.ready.empty());
    EXPECT_EQ(runner->started.size(), 1u);  // m2 never starts
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::closed; }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 1+"}));
    EXPECT_EQ(b.sent.back(), "c1 close");
    EXPECT_EQ(l->session().dispatcher().queued(), 1u);
    EXPECT_EQ(l->session().counters().received, 2u);
}

TEST(ListenBrokerDrain, DrainTimeoutLeavesARunningJobUnacked) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(1, "", "drain_timeout: 100ms\n"), b, runner);
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    auto start = Clock::now();
    ::raise(SIGTERM);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::closed; }));
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(100));
    EXPECT_TRUE(b.sent_matching("ack").empty());
    EXPECT_EQ(b.sent.back(), "c1 close");
}

TEST(ListenBrokerDrain, AConnectionLostWhileDrainingIsNotReopened) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(1), b, runner);
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    ::raise(SIGTERM);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::draining; }));
    b.drop = true;
    for (int i = 0; i < 3; ++i) {
        l->turn();
    }
    EXPECT_EQ(l->state(), BrokerState::draining);
    EXPECT_FALSE(l->session().live.connected);
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::closed; }));
    EXPECT_EQ(b.connections, 1);
    EXPECT_TRUE(b.sent_matching("ack").empty());
}

}  // namespace
}  // namespace flr::engine
