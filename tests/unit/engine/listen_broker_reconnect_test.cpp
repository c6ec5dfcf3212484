// The broker loop's reconnect: deliveries of a lost connection are never acked on the
// next one; the broker redelivers them and jobs that already succeeded are skipped.
#include "listen_fakes.hpp"

#include <gtest/gtest.h>

namespace flr::engine {
namespace {

using Sent = std::vector<std::string>;

// m1's job starts, the connection drops while it runs, and the loop is back on a second
// connection.
void reconnect_while_running(BrokerLoop& l, fake::Broker& b, fake::Runner*& runner) {
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(l, [&] { return runner->live.size() == 1; }));
    b.drop = true;
    ASSERT_TRUE(fake::turn_until(l, [&] { return l.state() == BrokerState::connecting; }));
    EXPECT_FALSE(l.session().live.connected);
    ASSERT_TRUE(fake::turn_until(l, [&] { return l.state() == BrokerState::consuming; }));
}

TEST(ListenBrokerReconnect, ADeliveryOfALostConnectionIsNotAckedOnTheNext) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(2, "prefetch: 4"), b, runner);
    ASSERT_NO_FATAL_FAILURE(reconnect_while_running(*l, b, runner));
    EXPECT_EQ(b.connections, 2);
    EXPECT_EQ(l->session().counters().reconnects, 1u);

    // The job of the old generation ends on the new connection: no ack for it there
    // (tag 1 of c2 would be another delivery).
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 0; }));
    for (int i = 0; i < 3; ++i) {
        l->turn();
    }
    EXPECT_TRUE(b.sent_matching("ack").empty());

    // The broker redelivers it: it already succeeded, so it is acked without a new run.
    b.deliver("m1", "{}", true);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c2 ack 1+"}));
    EXPECT_EQ(runner->started.size(), 1u);
    EXPECT_EQ(l->session().counters().skipped, 1u);
}

TEST(ListenBrokerReconnect, ARedeliveryWhileItsJobStillRunsIsAnsweredByThatJob) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(2, "prefetch: 4"), b, runner);
    ASSERT_NO_FATAL_FAILURE(reconnect_while_running(*l, b, runner));
    // The broker delivers it again while its job still runs: no second run beside it.
    b.deliver("m1", "{}", true);
    for (int i = 0; i < 5; ++i) {
        l->turn();
    }
    EXPECT_EQ(runner->started.size(), 1u);
    EXPECT_EQ(l->in_flight(), 1u);
    EXPECT_TRUE(b.sent_matching("ack").empty());
    // The job ends: the new delivery is acked for it.
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c2 ack 1+"}));
    EXPECT_EQ(runner->started.size(), 1u);
    EXPECT_EQ(l->in_flight(), 0u);
}

TEST(ListenBrokerReconnect, RefusedAttemptsBackOffUntilOneSucceeds) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(1, "reconnect_delay_max: 1s"), b, runner);
    b.refuse = 3;
    b.drop = true;
    auto lost = Clock::now();
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::connecting; }));
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::consuming; }));
    // Waits of 10, 20, 40 and 80 ms before the fourth attempt succeeds.
    EXPECT_GE(Clock::now() - lost, std::chrono::milliseconds(150));
    EXPECT_EQ(b.refuse, 0);
    EXPECT_EQ(b.connections, 2);
    EXPECT_EQ(l->session().counters().reconnects, 1u);
    EXPECT_EQ(b.sent_matching("c2 consume"), (Sent{"c2 consume q"}));
}

TEST(ListenBrokerReconnect, RunningJobsCarryOnWhileDisconnected) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(2, "reconnect_delay: 200ms"), b, runner);
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    b.drop = true;
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::connecting; }));
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 0; }));
    EXPECT_EQ(l->state(), BrokerState::connecting);  // the completion was handled while waiting
    EXPECT_EQ(l->session().dispatcher().counters().succeeded, 1u);
    EXPECT_TRUE(b.sent_matching("ack").empty());
}

}  // namespace
}  // namespace flr::engine
