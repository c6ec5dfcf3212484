// The broker list (amqp.url as the nodes of a cluster: one connection, the next node on
// loss) and the layout flr-listen declares, shards included.
#include "engine/broker_layout.hpp"
#include "engine/broker_nodes.hpp"
#include "listen_fakes.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <set>

namespace flr::engine {
namespace {

using Strings = std::vector<std::string>;

const Strings nodes{"amqp://guest@n1:5672/%2F", "amqp://guest@n2:5672/%2F", "amqp://guest@n3:5672/%2F"};

// Connections to the fake broker through a NodeList; `tried` records each attempt,
// `down` names the nodes that refuse.
struct Cluster {
    fake::Broker broker;
    Strings tried;
    std::set<std::string> down;

    NodeList::ConnectTo connect_to() {
        return [this](const std::string& url) -> std::unique_ptr<amqp::Channel> {
            tried.push_back(url);
            if (down.count(url) > 0) {
                throw RemoteError("amqp", "connect to " + url + ": connection refused (fake)");
            }
            return std::make_unique<fake::Channel>(broker);
        };
    }
};

TEST(ListenBrokerNodes, FirstNodeFirstThenTheNextOnEachNewConnection) {
    Cluster c;
    NodeList list(nodes, c.connect_to());
    EXPECT_EQ(list.current(), "");
    list.connect();
    EXPECT_EQ(list.current(), nodes[0]);
    list.connect();
    list.connect();
    list.connect();
    EXPECT_EQ(c.tried, (Strings{nodes[0], nodes[1], nodes[2], nodes[0]}));
}

TEST(ListenBrokerNodes, ANodeThatRefusesIsSkipped) {
    Cluster c;
    c.down = {nodes[1]};
    NodeList list(nodes, c.connect_to());
    list.connect();
    list.connect();
    EXPECT_EQ(list.current(), nodes[2]);
    EXPECT_EQ(c.tried, (Strings{nodes[0], nodes[1], nodes[2]}));
}

TEST(ListenBrokerNodes, WhenNoNodeAnswersTheLastErrorIsThrownAfterOneRound) {
    Cluster c;
    c.down = {nodes.begin(), nodes.end()};
    NodeList list(nodes, c.connect_to());
    try {
        list.connect();
        FAIL() << "connected to a cluster that is down";
    } catch (const RemoteError& e) {
        EXPECT_NE(std::string(e.what()).find("n3"), std::string::npos) << e.what();
    }
    EXPECT_EQ(c.tried, nodes);  // each node once, no endless loop
    c.down.clear();
    list.connect();
    EXPECT_EQ(list.current(), nodes[0]);
}

TEST(ListenBrokerNodes, TheLoopFailsOverToTheNextNodeOnLossAndConsumesThere) {
    Cluster c;
    auto nodes_ptr = std::make_shared<NodeList>(nodes, c.connect_to());
    auto runner = std::make_unique<fake::Runner>();
    fake::Runner* r = runner.get();
    BrokerLoop l(
        fake::config(2), ConfigLoader{}, [nodes_ptr] { return nodes_ptr->connect(); }, std::move(runner));
    EXPECT_EQ(nodes_ptr->current(), nodes[0]);

    c.broker.deliver("m1");
    ASSERT_TRUE(fake::turn_until(l, [&] { return r->live.size() == 1; }));
    c.down = {nodes[1]};  // the next node is down too: the one after it takes over
    c.broker.drop = true;
    ASSERT_TRUE(fake::turn_until(l, [&] { return l.state() == BrokerState::connecting; }));
    ASSERT_TRUE(fake::turn_until(l, [&] { return l.state() == BrokerState::consuming; }));
    EXPECT_EQ(nodes_ptr->current(), nodes[2]);
    EXPECT_EQ(c.tried, (Strings{nodes[0], nodes[1], nodes[2]}));
    EXPECT_EQ(c.broker.sent_matching("consume"), (Strings{"c1 consume q", "c2 consume q"}));

    // The job of the lost connection finishes; its redelivery on the new node is skipped.
    r->finish("m1");
    ASSERT_TRUE(fake::turn_until(l, [&] { return l.in_flight() == 0; }));
    c.broker.deliver("m1", "{}", true);
    ASSERT_TRUE(fake::turn_until(l, [&] { return !c.broker.sent_matching("c2 ack").empty(); }));
    EXPECT_EQ(r->started.size(), 1u);
    EXPECT_EQ(l.session().counters().reconnects, 1u);
}

TEST(ListenBrokerNodes, ConfigTakesOneUrlOrAList) {
    auto one = fake::config(1);
    EXPECT_EQ(node_urls(one->amqp), (Strings{"amqp://localhost"}));
    auto cfg =
        load_listen_config(Config::parse("routes: [{name: r, topic: t, command: [/bin/true]}]\n"
                                         "amqp: {url: [\"amqp://a@n1/%2F\", \"amqp://a@n2:5673/%2F\"], queue: q}\n",
                                         "nodes.yaml"));
    EXPECT_EQ(cfg.amqp.url, "amqp://a@n1/%2F");
    EXPECT_EQ(node_urls(cfg.amqp), (Strings{"amqp://a@n1/%2F", "amqp://a@n2:5673/%2F"}));
    // A password in any of them is refused, as in a single URL.
    cfg.amqp.more_urls.push_back("amqp://a:secret@n3/%2F");
    EXPECT_THROW(connect_options(cfg.amqp, "t"), ConfigError);
}

TEST(ListenBrokerNodes, QuorumIsTheDefaultQueueType) {
    auto cfg = fake::config(1);
    EXPECT_EQ(cfg->amqp.queue_type, "quorum");
    fake::Broker b;
    fake::Runner* r = nullptr;
    auto l = fake::loop(cfg, b, r);
    ASSERT_EQ(b.queues.size(), 2u);  // the dead-letter queue, then the work queue
    EXPECT_EQ(b.queues[1].name, "q");
    EXPECT_EQ(b.queues[1].type, "quorum");
    EXPECT_EQ(b.queues[0].type, "quorum");
    EXPECT_EQ(b.queues[1].delivery_limit, 20);
    EXPECT_FALSE(b.queues[1].single_active_consumer);
    try {
        load_listen_config(
            Config::parse("routes: [{name: r, topic: t, command: [/bin/true]}]\namqp: {url: \"amqp://h\", queue: q, "
                          "durable: false}\n",
                          "q.yaml"));
        FAIL() << "a non-durable quorum queue was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("queue_type: classic"), std::string::npos) << e.what();
    }
}

TEST(ListenBrokerNodes, ShardsAreSingleActiveConsumerQueuesBehindAConsistentHashExchange) {
    auto cfg = fake::config(1, "shards: {count: 3, hash_header: flr-key}");
    fake::Broker b;
    fake::Runner* r = nullptr;
    auto l = fake::loop(cfg, b, r);
    EXPECT_EQ(b.sent_matching("declare"),
              (Strings{"c1 declare x-consistent-hash q.hash {\"hash-header\":\"flr-key\"}"}));
    EXPECT_EQ(b.sent_matching("bind"),
              (Strings{"c1 bind q.dead flr.dead q.dead", "c1 bind q.shard.0 q.hash 1", "c1 bind q.shard.1 q.hash 1",
                       "c1 bind q.shard.2 q.hash 1", "c1 bind-exchange q.hash amq.topic t"}));
    EXPECT_EQ(b.sent_matching("consume"),
              (Strings{"c1 consume q.shard.0", "c1 consume q.shard.1", "c1 consume q.shard.2"}));
    ASSERT_EQ(b.queues.size(), 4u);
    for (std::size_t i = 1; i < 4; ++i) {
        EXPECT_TRUE(b.queues[i].single_active_consumer) << b.queues[i].name;
        EXPECT_EQ(b.queues[i].type, "quorum");
        EXPECT_EQ(b.queues[i].dead_letter_exchange, "flr.dead");
    }
    EXPECT_FALSE(b.queues[0].single_active_consumer);  // the dead-letter queue

    // SIGHUP's new topics go to the exchange, as the shards have no bindings of their own.
    AmqpSettings after = cfg->amqp;
    after.bindings = {"u"};
    fake::Channel ch(b);
    rebind_layout(ch, cfg->amqp, after);
    EXPECT_EQ(b.sent_matching("c2 "),
              (Strings{"c2 bind-exchange q.hash amq.topic u", "c2 unbind-exchange q.hash amq.topic t"}));

    EXPECT_THROW(fake::config(1, "shards: {count: 0}"), ConfigError);
    EXPECT_EQ(fake::config(1, "shards: {count: 2}")->amqp.shards.hash_header, "");
}

// A cancelled single active consumer would hand its shard over while it still holds
// unacked messages: a later message of a key could then start before an earlier one.
TEST(ListenBrokerNodes, ADrainingShardConsumerIsNotCancelledItsConnectionCloses) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(fake::config(1, "prefetch: 8, shards: {count: 2}"), b, runner);
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1 && l->in_flight() == 2; }));
    ::raise(SIGTERM);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::draining; }));
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::closed; }));
    EXPECT_TRUE(b.sent_matching("cancel").empty());
    EXPECT_EQ(b.sent_matching("ack"), (Strings{"c1 ack 1+"}));
    EXPECT_EQ(b.sent.back(), "c1 close");
}

TEST(ListenBrokerNodes, TheClusterExampleParses) {
    auto cfg = load_listen_config(Config::load_file(FLR_TEST_DATA_DIR "/../../examples/listen/cluster.yaml"));
    EXPECT_EQ(node_urls(cfg.amqp).size(), 3u);
    EXPECT_EQ(cfg.amqp.queue_type, "quorum");
    EXPECT_EQ(consumed_queues(cfg.amqp).size(), 6u);
    EXPECT_EQ(shard_exchange(cfg.amqp), "builds-flr.hash");
    EXPECT_EQ(cfg.amqp.shards.hash_header, "package");
}

TEST(ListenBrokerNodes, PassiveShardsAreCheckedNotDeclared) {
    fake::Broker b;
    fake::Runner* r = nullptr;
    auto l = fake::loop(fake::config(1, "passive_declares: true, shards: {count: 2}"), b, r);
    EXPECT_TRUE(b.queues.empty());
    EXPECT_TRUE(b.sent_matching("bind").empty());
    EXPECT_EQ(b.sent_matching("consume"), (Strings{"c1 consume q.shard.0", "c1 consume q.shard.1"}));
}

}  // namespace
}  // namespace flr::engine
