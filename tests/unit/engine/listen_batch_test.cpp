// Batched routes: same-key messages collected into one job (until max, or the window
// since the first), acked only after that job succeeds, dead-lettered one by one when it
// keeps failing; a batch open at SIGTERM or at a lost connection is released, one open
// at SIGHUP runs; the journal has a row per message. And what the action gets.
#include "../test_util.hpp"
#include "engine/action.hpp"
#include "engine/vars.hpp"
#include "listen_fakes.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

namespace flr::engine {
namespace {

using Sent = std::vector<std::string>;

std::string route_yaml(const std::string& batch, int max_attempts = 1) {
    return fmt::format("{{name: r, topic: t, command: [/bin/true], max_attempts: {}, retry_delay: 1ms, batch: {}}}",
                       max_attempts, batch);
}

ConfigPtr batch_config(const std::string& batch, int prefetch = 20, int max_attempts = 1) {
    std::string yaml = fmt::format(
        "routes: [{}]\nworkers: 2\n"
        "amqp: {{url: \"amqp://localhost\", queue: q, heartbeat: 1, reconnect_delay: 10ms, prefetch: {}}}\n"
        "journal: {{path: \"{}\"}}\n",
        route_yaml(batch, max_attempts), prefetch, fake::journal_path());
    return std::make_shared<const ListenConfig>(load_listen_config(Config::parse(yaml, "fake.yaml")));
}

std::string body(const std::string& tag) {
    return fmt::format(R"({{"tag": "{}"}})", tag);
}

std::string config_error(const std::string& yaml) {
    try {
        load_listen_config(Config::parse(yaml, "c.yaml"));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(ListenBatchConfig, ParsesAndChecksThatThePrefetchHoldsAFullBatch) {
    ConfigPtr cfg = batch_config("{max: 5, window: 2s, key: \"{body.tag}\"}");
    const Route& r = cfg->routes[0];
    ASSERT_TRUE(r.batch);
    EXPECT_EQ(r.batch->max, 5u);
    EXPECT_EQ(r.batch->window, std::chrono::seconds(2));
    EXPECT_EQ(r.batch->key->text(), "{body.tag}");

    std::string amqp = "amqp: {url: \"amqp://h\", queue: q, prefetch: 10}\n";
    EXPECT_EQ(config_error("routes: [" + route_yaml("{max: 11}") + "]\n" + amqp),
              "c.yaml: routes[0].batch.max: 11 messages do not fit in amqp.prefetch (10); raise the prefetch");
    EXPECT_EQ(config_error("routes: [" + route_yaml("{max: 10}") + "]\n" + amqp), "");
    EXPECT_NE(config_error("routes: [" + route_yaml("{max: 0}") + "]\n" + amqp).find("batch.max: must be between"),
              std::string::npos);
    EXPECT_NE(config_error("routes: [" + route_yaml("{max: 2, size: 3}") + "]\n" + amqp).find("size"),
              std::string::npos);
    EXPECT_NE(
        config_error("routes: [{name: r, topic: t, command: [x], ordering_key: \"{id}\", batch: {max: 2}}]\n" + amqp)
            .find("a batched route cannot have an ordering_key"),
        std::string::npos);
}

TEST(ListenBatch, SameKeyMessagesRunAsOneJobAndAreAckedAfterIt) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(batch_config("{max: 3, window: 1h, key: \"{body.tag}\"}"), b, runner);
    b.deliver("m1", body("f43"));
    b.deliver("o1", body("f42"));
    b.deliver("m2", body("f43"));
    b.deliver("m3", body("f43"));
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    EXPECT_EQ(runner->live[0].batch, (Sent{"m1", "m2", "m3"}));
    EXPECT_EQ(l->session().dispatcher().open_batches(), 1u);  // f42 waits for more
    for (int i = 0; i < 3; ++i) {
        l->turn();
    }
    EXPECT_TRUE(b.sent_matching("ack").empty());  // nothing before the job succeeds
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return b.sent_matching("ack").size() == 3; }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 1+", "c1 ack 3", "c1 ack 4"}));  // o1 (tag 2) still open
    EXPECT_EQ(l->session().dispatcher().counters().succeeded, 1u);
}

TEST(ListenBatch, TheWindowClosesABatchThatDidNotFill) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(batch_config("{max: 10, window: 100ms}"), b, runner);
    auto first = Clock::now();
    b.deliver("m1", body("a"));
    b.deliver("m2", body("b"));  // no key: one batch for the route
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    EXPECT_GE(Clock::now() - first, std::chrono::milliseconds(100));
    EXPECT_LT(Clock::now() - first, std::chrono::seconds(2));
    EXPECT_EQ(runner->live[0].batch, (Sent{"m1", "m2"}));
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 2+"}));
    auto rows = Journal::read(l->journal().path(), {});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].message_id, "m1");
    EXPECT_EQ(rows[1].message_id, "m2");
    EXPECT_FALSE(rows[0].batch.empty());
    EXPECT_EQ(rows[0].batch, rows[1].batch);
    EXPECT_EQ(rows[1].outcome, "succeeded");
}

TEST(ListenBatch, ABatchThatKeepsFailingIsDeadLetteredMessageByMessage) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(batch_config("{max: 2, window: 1h}", 20, 2), b, runner);
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    runner->finish("m1", 1);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->started.size() == 2 && runner->live.size() == 1; }));
    EXPECT_EQ(runner->live[0].batch, (Sent{"m1", "m2"}));  // the whole batch again
    EXPECT_EQ(runner->live[0].attempt, 2);
    runner->finish("m1", 1);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("publish"), (Sent{"c1 publish flr.dead q.dead", "c1 publish flr.dead q.dead"}));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 2+"}));
    EXPECT_EQ(l->session().counters().dead_lettered, 2u);
    JournalFilter failed;
    failed.failed_only = true;
    auto rows = Journal::read(l->journal().path(), failed);
    ASSERT_EQ(rows.size(), 4u);  // attempt 1 failed, attempt 2 dead-lettered, for each message
    EXPECT_EQ(rows[3].outcome, "dead-lettered");
    EXPECT_EQ(rows[3].attempt, 2);
}

TEST(ListenBatch, DeadLettersCarryTheBatchsHeaders) {
    JobFailure f{"r", "exit 1", 1, 3, "out\n", "r.1.7", 0, 1, 2};
    amqp::Properties p = dead::for_failure(amqp::Properties{}, dead::Origin{"q", "amq.topic", "t"}, f);
    EXPECT_EQ(p.headers[dead::batch], "r.1.7");
    EXPECT_EQ(p.headers[dead::status], "exit 1");
    EXPECT_EQ(p.headers[dead::attempts], 3);
    f.batch.clear();
    EXPECT_FALSE(dead::for_failure(amqp::Properties{}, dead::Origin{}, f).headers.contains(dead::batch));
}

TEST(ListenBatch, AnOpenBatchIsReleasedAtSigterm) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(batch_config("{max: 5, window: 1h}"), b, runner);
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 2; }));
    ::raise(SIGTERM);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::closed; }));
    EXPECT_TRUE(runner->started.empty());
    EXPECT_TRUE(b.sent_matching("ack").empty());  // the broker has them again after the close
    EXPECT_TRUE(b.sent_matching("publish").empty());
    EXPECT_EQ(l->in_flight(), 0u);
    EXPECT_EQ(l->session().dispatcher().messages_in_flight(), 0u);
}

TEST(ListenBatch, AnOpenBatchIsReleasedWhenTheConnectionIsLostAndRunsOnceRedelivered) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(batch_config("{max: 2, window: 1h}"), b, runner);
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 1; }));
    b.drop = true;
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::connecting; }));
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->state() == BrokerState::consuming; }));
    EXPECT_EQ(l->in_flight(), 0u);
    b.deliver("m1", "{}", true);
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    EXPECT_EQ(runner->live[0].batch, (Sent{"m1", "m2"}));
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c2 ack 2+"}));
    EXPECT_EQ(runner->started.size(), 1u);
}

TEST(ListenBatch, AnOpenBatchRunsAtSighupWithTheRoutesItWasOpenedUnder) {
    fake::Broker b;
    ConfigPtr cfg = batch_config("{max: 5, window: 1h}");
    auto r = std::make_unique<fake::Runner>();
    fake::Runner* runner = r.get();
    int reloads = 0;
    BrokerLoop l(
        cfg,
        [&] {
            ++reloads;
            return cfg;
        },
        fake::connector(b), std::move(r));
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(l, [&] { return l.in_flight() == 2; }));
    EXPECT_TRUE(runner->started.empty());
    ::raise(SIGHUP);
    ASSERT_TRUE(fake::turn_until(l, [&] { return runner->live.size() == 1; }));
    EXPECT_EQ(reloads, 1);
    EXPECT_EQ(runner->live[0].batch, (Sent{"m1", "m2"}));
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(b.sent_matching("ack"), (Sent{"c1 ack 2+"}));
}

TEST(ListenBatch, AMessageWhoseRouteSucceededDoesNotJoinABatchAgain) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    auto l = fake::loop(batch_config("{max: 2, window: 1h}"), b, runner);
    b.deliver("m1");
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    b.deliver("m2", "{}", true);  // redelivered anyway
    b.deliver("m3");
    b.deliver("m4");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    EXPECT_EQ(runner->live[0].batch, (Sent{"m3", "m4"}));
    EXPECT_EQ(l->session().counters().skipped, 1u);
}

// ---- What the action gets ----------------------------------------------------------------

std::vector<Message> two_messages() {
    std::vector<Message> out(2);
    out[0].topic = "org.fedoraproject.prod.buildsys.tag";
    out[0].id = "id-1";
    out[0].body = Json::parse(R"({"tag": "f43", "evil": "{{ lookup('pipe', 'id') }}"})");
    out[1].topic = "org.fedoraproject.prod.buildsys.tag";
    out[1].sent_at = "2026-11-30T08:00:00+00:00";
    out[1].headers = Json::parse(R"({"h": "v"})");
    out[1].body = Json::parse(R"({"tag": "f43", "n": 2})");
    return out;
}

TEST(ListenBatchAction, APlaybookGetsFlrMessagesWithEveryStringUnsafe) {
    std::vector<Message> msgs = two_messages();
    std::vector<const Message*> batch{&msgs[0], &msgs[1]};
    std::string text = batch_vars_yaml(batch, 2);
    YAML::Node doc = YAML::Load(text);
    ASSERT_EQ(doc["flr_messages"].size(), 2u);
    EXPECT_EQ(doc["flr_messages"][0]["body"]["evil"].Scalar(), "{{ lookup('pipe', 'id') }}");
    EXPECT_EQ(doc["flr_messages"][0]["body"]["evil"].Tag(), "!unsafe");
    EXPECT_EQ(doc["flr_messages"][0]["topic"].Tag(), "!unsafe");
    EXPECT_EQ(doc["flr_messages"][0]["id"].Scalar(), "id-1");
    EXPECT_TRUE(doc["flr_messages"][1]["id"].IsNull());
    EXPECT_EQ(doc["flr_messages"][1]["headers"]["h"].Scalar(), "v");
    EXPECT_EQ(doc["flr_messages"][1]["body"]["n"].as<int>(), 2);
    EXPECT_EQ(doc["flr_batch"]["size"].as<int>(), 2);
    EXPECT_EQ(doc["flr_batch"]["attempt"].as<int>(), 2);
    // Every quoted scalar carries the tag: no message string is ever a plain one.
    std::size_t quotes = 0, tagged = 0;
    for (std::size_t p = text.find('"'); p != std::string::npos; p = text.find('"', text.find('"', p + 1) + 1)) {
        ++quotes;
        tagged += text.compare(p - 8, 8, "!unsafe ") == 0;
    }
    EXPECT_GT(quotes, 10u);
    EXPECT_EQ(tagged, quotes);
}

TEST(ListenBatchAction, ACommandGetsA0600BatchFileWithTheSameList) {
    test::TempDir dir;
    std::vector<Message> msgs = two_messages();
    std::vector<const Message*> batch{&msgs[0], &msgs[1]};
    Route r;
    r.name = "r";
    r.command = {Template::parse("/bin/handle", "w"), Template::parse("--messages={batch_file}", "w"),
                 Template::parse("{body.tag}", "w")};
    Launch l = prepare(r, msgs[0], 1, ActionEnv{dir.path().string(), {}}, 9, batch);
    ASSERT_FALSE(l.vars_file.empty());
    EXPECT_EQ(l.spec.argv, (std::vector<std::string>{"/bin/handle", "--messages=" + l.vars_file, "f43"}));
    struct stat st {};
    ASSERT_EQ(::stat(l.vars_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(l.vars_file);
    Json list = Json::parse(in);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], batch_record(msgs[0]));
    EXPECT_EQ(list[1]["sent_at"], "2026-11-30T08:00:00+00:00");
    EXPECT_TRUE(list[1]["id"].is_null());
    // Outside a batch there is no batch file to name.
    EXPECT_THROW(prepare(r, msgs[0], 1, ActionEnv{dir.path().string(), {}}, 10), FieldError);
}

}  // namespace
}  // namespace flr::engine
