// The Bugzilla and Bodhi clients against the stand-in over real HTTP.
#include "standin.hpp"

#include <flr/bodhi.hpp>
#include <flr/bugzilla.hpp>
#include <flr/error.hpp>

#include <gtest/gtest.h>

using flr::test::StandIn;
#include <sys/stat.h>

#include <fstream>

TEST(Bugzilla, GetsABugWithItsFlags) {
    auto bz = flr::bugzilla::connect(flr::test::shared_standin().config());
    auto bug = bz->bug(1441813);
    ASSERT_TRUE(bug);
    EXPECT_EQ(bug->component, "Package Review");
    EXPECT_EQ(bug->status, "CLOSED");
    const auto* review = bug->flag("fedora-review");
    ASSERT_NE(review, nullptr);
    EXPECT_EQ(review->status, "+");
    EXPECT_EQ(review->setter, "mjordan@redhat.com");
    EXPECT_EQ(review->modified, 1493542800);  // 2017-04-30T09:00:00Z
    EXPECT_FALSE(bz->bug(1));
}

TEST(Bugzilla, CommentsWithTheApiKeyThatNeverShows) {
    StandIn s;
    auto bz = flr::bugzilla::connect(s.config());
    EXPECT_GT(bz->add_comment(1441813, "Unretired."), 0);
    auto j = s.journal();
    ASSERT_EQ(j.size(), 1U);
    EXPECT_EQ(j[0]["json"]["comment"], "Unretired.");
    EXPECT_TRUE(j[0]["auth"].get<bool>());
    s.fault({{"fail_next", 1}, {"status", 500}, {"path_prefix", "/rest"}});
    try {
        bz->add_comment(1441813, "again");
        FAIL() << "no error";
    } catch (const flr::RemoteError& e) {
        EXPECT_EQ(std::string(e.what()).find("bugzilla-key"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("<redacted>"), std::string::npos) << e.what();
    }
}

TEST(Bugzilla, AWrongKeyIsRefused) {
    flr::test::TempDir dir;
    std::string key = dir.file("key");
    { std::ofstream(key) << "wrong\n"; }
    ::chmod(key.c_str(), 0600);
    auto bz = flr::bugzilla::connect(flr::Config::parse("bugzilla: {url: \"" + flr::test::shared_standin().url() +
                                                        "\", api_key_file: \"" + key + "\"}"));
    try {
        bz->add_comment(1441813, "x");
        FAIL() << "no error";
    } catch (const flr::RemoteError& e) {
        EXPECT_GE(e.status(), 400);
        EXPECT_EQ(std::string(e.what()).find("wrong"), std::string::npos) << e.what();
    }
}

TEST(Bodhi, QueriesUpdatesAcrossPages) {
    auto bodhi = flr::bodhi::connect(flr::test::shared_standin().config());
    flr::bodhi::UpdateQuery q;
    q.releases = {"F40"};
    q.status = "stable";
    q.pushed_since = "2024-03-01T00:00:00";
    q.rows_per_page = 1;
    auto updates = bodhi->updates(q);
    ASSERT_EQ(updates.size(), 2U);
    for (const auto& u : updates) {
        EXPECT_EQ(u.release, "F40");
        EXPECT_EQ(u.status, "stable");
        EXPECT_GE(u.pushed, 1709251200);
        EXPECT_FALSE(u.builds.empty());
    }
}

TEST(Bodhi, RetriesThenGivesUpOn500) {
    StandIn s;
    auto bodhi = flr::bodhi::connect(s.config());
    s.fault({{"fail_next", 2}, {"status", 500}, {"path_prefix", "/updates"}});
    EXPECT_EQ(bodhi->updates({}).size(), 5U);
    s.fault({{"fail_next", 5}, {"status", 500}, {"path_prefix", "/updates"}});
    EXPECT_THROW(bodhi->updates({}), flr::RemoteError);
}
