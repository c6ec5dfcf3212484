// The journal: what it records, that a completion is committed before its ack, that a
// route that succeeded is never run again for the same message id (redelivered,
// republished, or after a restart), corrupt and missing journals, pruning, history.
#include "engine/history.hpp"
#include "engine/journal.hpp"
#include "listen_fakes.hpp"

#include <flr/listen_history.hpp>

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>

namespace flr::engine {
namespace {

using Sent = std::vector<std::string>;

JobRecord row(const std::string& id, const std::string& route, const char* outcome, double ended) {
    JobRecord r;
    r.message_id = id;
    r.topic = "org.fedoraproject.prod.buildsys.tag";
    r.route = route;
    r.started = ended - 1;
    r.ended = ended;
    r.exit_status = 0;
    r.status = "exit 0";
    r.outcome = outcome;
    r.output = "done\n";
    return r;
}

std::vector<std::string> outcomes(const std::string& path, const JournalFilter& f = {}) {
    std::vector<std::string> out;
    for (const auto& r : Journal::read(path, f)) {
        out.push_back(r.message_id + " " + r.route + " " + std::to_string(r.attempt) + " " + r.outcome);
    }
    return out;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(ListenJournal, RowsAreSeenByOthersOnlyOnceCommittedAndSurviveAReopen) {
    std::string path = fake::journal_path();
    double now = static_cast<double>(std::time(nullptr));
    {
        Journal j(path, Journal::OnCorrupt::fail);
        j.record(row("m1", "r", outcome::succeeded, now));
        EXPECT_EQ(j.pending(), 1u);
        EXPECT_TRUE(j.succeeded("m1", "r"));  // its own open transaction
        EXPECT_FALSE(j.succeeded("m1", "other"));
        EXPECT_TRUE(outcomes(path).empty());  // another reader: not yet
        j.commit();
        EXPECT_EQ(j.pending(), 0u);
        EXPECT_EQ(outcomes(path), (Sent{"m1 r 1 succeeded"}));
    }
    Journal again(path, Journal::OnCorrupt::fail);
    EXPECT_TRUE(again.succeeded("m1", "r"));
    EXPECT_FALSE(again.succeeded("", "r"));
}

TEST(ListenJournal, AFailedOrSkippedRunIsNotASuccess) {
    Journal j(fake::journal_path(), Journal::OnCorrupt::fail);
    double now = static_cast<double>(std::time(nullptr));
    j.record(row("m1", "r", outcome::failed, now));
    j.record(row("m1", "r", outcome::dead_lettered, now));
    j.record(row("m1", "r", outcome::skipped, now));
    EXPECT_FALSE(j.succeeded("m1", "r"));
}

TEST(ListenJournal, AFileThatIsNotADatabaseIsAClearErrorOrMovedAsideWhenFresh) {
    std::string path = fake::journal_path();
    std::ofstream(path) << std::string(8192, 'x');
    std::string e = error_of([&] { Journal j(path, Journal::OnCorrupt::fail); });
    EXPECT_NE(e.find("journal " + path), std::string::npos) << e;
    EXPECT_NE(e.find("not a database"), std::string::npos) << e;
    EXPECT_NE(e.find("on_corrupt: fresh"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos);  // one line

    Journal fresh(path, Journal::OnCorrupt::fresh);
    fresh.record(row("m1", "r", outcome::succeeded, 1000));
    fresh.commit();
    EXPECT_EQ(outcomes(path).size(), 1u);
    bool aside = false;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
        aside = aside || entry.path().string().rfind(path + ".corrupt-", 0) == 0;
    }
    EXPECT_TRUE(aside);
}

TEST(ListenJournal, AnotherProgramsDatabaseIsNotAJournal) {
    std::string path = fake::journal_path();
    { Journal j(path, Journal::OnCorrupt::fail); }
    // Damage the header's application id: SQLite still opens it, flr-listen refuses it.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(68);
    f.write("\0\0\0\1", 4);
    f.close();
    std::string e = error_of([&] { Journal j(path, Journal::OnCorrupt::fail); });
    EXPECT_NE(e.find("not an flr-listen journal"), std::string::npos) << e;
}

TEST(ListenJournal, AMissingDirectoryIsAClearError) {
    std::string e = error_of([] { Journal j("/nonexistent-flr/listen/x.db", Journal::OnCorrupt::fresh); });
    EXPECT_EQ(e, "journal /nonexistent-flr/listen/x.db: its directory /nonexistent-flr/listen does not exist");
    e = error_of([] { Journal::read("/nonexistent-flr/x.db", {}); });
    EXPECT_NE(e.find("no such file"), std::string::npos) << e;
}

TEST(ListenJournal, PruningDeletesOnlyRowsOlderThanTheCutoff) {
    std::string path = fake::journal_path();
    Journal j(path, Journal::OnCorrupt::fail);
    for (int i = 0; i < 1200; ++i) {
        j.record(row("old" + std::to_string(i), "r", outcome::succeeded, 1000 + i));
    }
    j.record(row("new", "r", outcome::succeeded, 5000));
    j.commit();
    EXPECT_EQ(Journal::prune(path, 4000), 1200u);
    EXPECT_EQ(outcomes(path), (Sent{"new r 1 succeeded"}));
    EXPECT_FALSE(j.succeeded("old1", "r"));
}

TEST(ListenJournal, TheBackgroundPrunerRunsWhileTheOwnerWrites) {
    std::string path = fake::journal_path();
    Journal j(path, Journal::OnCorrupt::fail);
    double now = static_cast<double>(std::time(nullptr));
    j.record(row("ancient", "r", outcome::succeeded, now - 90 * 86400));
    j.commit();
    j.start_pruning(std::chrono::hours(24 * 30), std::chrono::milliseconds(20));
    for (int i = 0; i < 50; ++i) {  // the loop's commits go on while it prunes
        j.record(row("m" + std::to_string(i), "r", outcome::succeeded, now));
        j.commit();
    }
    auto give_up = Clock::now() + std::chrono::seconds(5);
    while (j.succeeded("ancient", "r") && Clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_FALSE(j.succeeded("ancient", "r"));
    EXPECT_EQ(outcomes(path).size(), 50u);
}

// ---- In the broker loop ---------------------------------------------------------------

TEST(ListenJournal, ACompletionIsCommittedBeforeItsAckIsSent) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    ConfigPtr cfg = fake::config(2, "prefetch: 8");
    std::string path = cfg->journal.path;
    auto l = fake::loop(cfg, b, runner);
    Sent seen_at_ack;
    b.on_ack = [&] { seen_at_ack = outcomes(path); };  // another connection, as after a crash
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    runner->finish("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    EXPECT_EQ(seen_at_ack, (Sent{"m1 r 1 succeeded"}));
}

TEST(ListenJournal, ARouteThatSucceededIsSkippedAfterARestartRedeliveredOrRepublished) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    ConfigPtr cfg = fake::config(2, "prefetch: 8");
    {
        auto l = fake::loop(cfg, b, runner);
        b.deliver("m1");
        ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
        runner->finish("m1");
        ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 0; }));
        // Killed before the ack: the loop goes away without sending it (no drain).
    }
    EXPECT_TRUE(b.sent_matching("ack").empty());
    auto l = fake::loop(cfg, b, runner);  // restarted on the same journal
    b.deliver("m1", "{}", true);          // redelivered
    b.deliver("m1");                      // republished with the same id
    b.deliver("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    EXPECT_EQ(runner->live[0].msg_id, "m2");
    runner->finish("m2");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return l->in_flight() == 0 && !b.sent_matching("ack").empty(); }));
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("c2 ack 3").empty(); }));
    EXPECT_EQ(runner->started.size(), 1u);  // only m2 ran on the new loop
    EXPECT_EQ(l->session().counters().skipped, 2u);
    EXPECT_EQ(outcomes(cfg->journal.path),
              (Sent{"m1 r 1 succeeded", "m1 r 0 skipped", "m1 r 0 skipped", "m2 r 1 succeeded"}));
}

TEST(ListenJournal, RetriedAttemptsAndTheDeadLetterAreRecorded) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    std::string yaml = fmt::format(
        "routes: [{{name: r, topic: t, command: [/bin/false], max_attempts: 2, retry_delay: 1ms}}]\n"
        "workers: 1\namqp: {{url: \"amqp://localhost\", queue: q, heartbeat: 1, prefetch: 4}}\n"
        "journal: {{path: \"{}\"}}\n",
        fake::journal_path());
    auto cfg = std::make_shared<const ListenConfig>(load_listen_config(Config::parse(yaml, "fake.yaml")));
    auto l = fake::loop(cfg, b, runner);
    b.deliver("m1");
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    runner->finish("m1", 3);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return runner->live.size() == 1; }));
    runner->finish("m1", 4);
    ASSERT_TRUE(fake::turn_until(*l, [&] { return !b.sent_matching("ack").empty(); }));
    JournalFilter failed;
    failed.failed_only = true;
    EXPECT_EQ(outcomes(cfg->journal.path, failed), (Sent{"m1 r 1 failed", "m1 r 2 dead-lettered"}));
    auto rows = Journal::read(cfg->journal.path, {});
    EXPECT_EQ(rows.back().exit_status, 4);
    EXPECT_EQ(rows.back().status, "exit 4");
    EXPECT_EQ(rows.back().output, "m1 exits 4\n");
    EXPECT_GE(rows.back().ended, rows.back().started);
}

TEST(ListenJournal, AJournalThatCannotBeOpenedStopsTheLoopBeforeAnyDelivery) {
    fake::Broker b;
    fake::Runner* runner = nullptr;
    std::string path = fake::journal_path();
    std::ofstream(path) << std::string(4096, 'x');
    ConfigPtr cfg = fake::config(1, "", fmt::format("journal: {{path: \"{}\"}}", path));
    b.deliver("m1");
    EXPECT_THROW(fake::loop(cfg, b, runner), Error);
    EXPECT_EQ(b.connections, 1);                      // the broker answered first
    EXPECT_TRUE(b.sent_matching("consume").empty());  // nothing consumed
    EXPECT_EQ(b.delivered, 0u);
}

// ---- history --------------------------------------------------------------------------

TEST(ListenHistory, SinceTakesDurationsDatesAndTimes) {
    EXPECT_EQ(parse_since("90m", 10000), 10000 - 5400);
    EXPECT_EQ(parse_since("2h", 10000), 10000 - 7200);
    EXPECT_EQ(parse_since("1d", 100000), 100000 - 86400);
    EXPECT_EQ(parse_since("1970-01-02", 0), 86400);
    EXPECT_EQ(parse_since("2026-11-30T08:00:00Z", 0), 1796025600);
    EXPECT_EQ(parse_since("2026-11-30 08:00", 0), 1796025600);
    EXPECT_EQ(parse_since("2026-11-30T10:00:00+02:00", 0), 1796025600);
    for (const char* bad : {"", "h", "-2h", "2", "2w", "2026-13-01", "2026-02-31", "2026-11-30T25:00",
                            "2026-11-30T08:00:00Zjunk", "99999999999999999999d"}) {
        EXPECT_THROW(parse_since(bad, 0), UsageError) << bad;
    }
}

TEST(ListenHistory, SelectsByRouteTopicIdAndFailure) {
    std::string path = fake::journal_path();
    {
        Journal j(path, Journal::OnCorrupt::fail);
        double now = static_cast<double>(std::time(nullptr));
        j.record(row("m1", "tag", outcome::succeeded, now - 7200));
        j.record(row("m2", "tag", outcome::dead_lettered, now - 60));
        JobRecord other = row("m3", "compose", outcome::succeeded, now - 30);
        other.topic = "org.fedoraproject.prod.pungi.compose.status.change";
        j.record(other);
        j.commit();
    }
    Config cfg = Config::parse(fmt::format("routes: [{{name: tag, topic: t, command: [/bin/true]}}]\n"
                                           "journal: {{path: \"{}\"}}\n",
                                           path),
                               "h.yaml");
    auto ids = [&](const listen::HistoryQuery& q) {
        std::string out;
        for (const auto& e : listen::history(cfg, q)) {
            out += e.message_id + (e.outcome == "succeeded" ? "" : "!") + " ";
        }
        return out;
    };
    EXPECT_EQ(ids({}), "m1 m2! m3 ");
    EXPECT_EQ(ids({"1h", "", "", "", false}), "m2! m3 ");
    EXPECT_EQ(ids({"", "tag", "", "", false}), "m1 m2! ");
    EXPECT_EQ(ids({"", "", "org.fedoraproject.*.buildsys.#", "", false}), "m1 m2! ");
    EXPECT_EQ(ids({"", "", "", "m3", false}), "m3 ");
    EXPECT_EQ(ids({"", "", "", "", true}), "m2! ");
    auto all = listen::history(cfg, {});
    EXPECT_EQ(all[0].seconds, 1);
    EXPECT_EQ(all[0].status, "exit 0");
    EXPECT_EQ(all[0].output, "done\n");
    EXPECT_EQ(all[0].ended.size(), 25u);  // 2026-11-30T08:00:00+00:00
}

}  // namespace
}  // namespace flr::engine
