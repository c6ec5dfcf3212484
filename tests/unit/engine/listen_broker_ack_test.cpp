// The broker loop's acks: batched, in delivery order, dead letters before the ack.
#include "listen_fakes.hpp"

#include <gtest/gtest.h>

namespace flr::engine {
namespace {

using Sent = std::vector<std::string>;

TEST(ListenBrokerAck, FinishedDeliveriesGoOutAsOneMultipleAck) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(4, "prefetch: 8"), b, runner);  // batch: 8 / 4 = 2
    for (const char* id : {"m1", "m2", "m3"}) {
        b.deliver(id);
    }
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 3; }));
    EXPECT_TRUE(b.sent_matching("ack").empty());
    runner->finish("m1");
    runner->finish("m2");
    runner->finish("m3");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 0 && !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 3+"}));
}

TEST(ListenBrokerAck, DeliveriesBehindARunningOneAreAckedOneByOneThenThePrefixAsOne) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(4, "prefetch: 8"), b, runner);
    for (const char* id : {"m1", "m2", "m3"}) {
        b.deliver(id);
    }
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 3; }));
    runner->finish("m3");
    runner->finish("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return b.sent_matching("ack").size() == 2; }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 2", "c1 ack 3"}));  // delivery order, m1 still running
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return b.sent_matching("ack").size() == 3; }));
    EXPECT_EQ(b.sent_matching("ack").back(), "c1 ack 1+");
}

TEST(ListenBrokerAck, ALoneFinishedDeliveryWaitsAtMostTheAckDelay) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(4, "prefetch: 40"), b, runner);  // batch: 10
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 2; }));
    runner->finish("m1");
    auto finished = Clock::now();
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 1; }));  // its completion is handled
    EXPECT_TRUE(b.sent_matching("ack").empty());                             // not alone at once
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_GE(Clock::now() - finished, BrokerLoop::ack_delay);
    EXPECT_LT(Clock::now() - finished, std::chrono::seconds(1));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 1+"}));
}

TEST(ListenBrokerAck, AFailedJobIsDeadLetteredAndAckedOnceConfirmed) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(4, "prefetch: 4"), b, runner);  // batch: 1
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 2; }));
    runner->finish("m1", 3);
    runner->finish("m2", 0);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return b.sent_matching("ack").size() == 1; }));
    // m1's dead letter is published (and confirmed) before m1 and m2 are acked together.
    Sent after_consume(b.sent.begin() + static_cast<std::ptrdiff_t>(b.sent.size() - 2), b.sent.end());
    EXPECT_EQ(after_consume, (Sent{"c1 publish flr.dead q.dead", "c1 ack 2+"}));
    EXPECT_EQ(l->session().counters().dead_lettered, 1u);
    EXPECT_EQ(l->session().dispatcher().counters().failed, 1u);
}

TEST(ListenBrokerAck, WithoutADeadLetterExchangeAFailedDeliveryIsRejected) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(4, "prefetch: 4, dead_letter_exchange: \"\""), b, runner);
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    runner->finish("m1", 1);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("reject").empty(); }));
    EXPECT_EQ(b.sent_matching("reject"), (Sent{"c1 reject 1"}));
    EXPECT_TRUE(b.sent_matching("ack").empty());
    EXPECT_TRUE(b.sent_matching("publish").empty());
}

TEST(ListenBrokerAck, AnInvalidBodyIsDeadLetteredWithoutAJob) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(4, "prefetch: 4"), b, runner);
    b.deliver("bad", "{not json");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("publish"), (Sent{"c1 publish flr.dead q.dead"}));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 1+"}));
    EXPECT_TRUE(runner->started.empty());
    EXPECT_EQ(l->session().counters().invalid, 1u);
}

}  // namespace
}  // namespace flr::engine
