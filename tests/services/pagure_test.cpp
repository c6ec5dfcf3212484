// The Pagure client against the stand-in over real HTTP.
#include "standin.hpp"

#include <flr/error.hpp>
#include <flr/pagure.hpp>

#include <gtest/gtest.h>

#include <chrono>

using flr::test::StandIn;

namespace {

StandIn& standin() {
    static StandIn s;  // one server for this file's tests; each test leaves it as it found it
    return s;
}

std::string remote_message(const std::function<void()>& f, int& status) {
    try {
        f();
    } catch (const flr::RemoteError& e) {
        status = e.status();
        return e.what();
    }
    ADD_FAILURE() << "no RemoteError";
    return {};
}

}  // namespace

TEST(Pagure, GetsAnIssueWithItsComments) {
    auto client = flr::pagure::connect(standin().config(), "pagure");
    auto issue = client->issue("releng", 1);
    EXPECT_EQ(issue.id, 1);
    EXPECT_EQ(issue.title, "Unretire rpms/nethack");
    EXPECT_EQ(issue.status, "Open");
    EXPECT_EQ(issue.user.name, "jdoe");
    EXPECT_EQ(issue.tags, std::vector<std::string>{"unretirement"});
    ASSERT_EQ(issue.comments.size(), 1U);
    EXPECT_EQ(issue.comments[0].comment, "Looking at it.");
    EXPECT_GT(issue.date_created, 1'600'000'000);
}

TEST(Pagure, MissingIssueIsA404QuotingPagure) {
    auto client = flr::pagure::connect(standin().config(), "pagure");
    int status = 0;
    auto msg = remote_message([&] { client->issue("releng", 999); }, status);
    EXPECT_EQ(status, 404);
    EXPECT_NE(msg.find("GET " + standin().url() + "/pagure/api/0/releng/issue/999"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ENOISSUE"), std::string::npos) << msg;
}

TEST(Pagure, ListsIssuesAcrossPagesWithFilters) {
    auto client = flr::pagure::connect(standin().config(), "pagure");
    flr::pagure::IssueQuery q;
    q.per_page = 2;
    auto all = client->issues("releng", q);
    EXPECT_EQ(all.size(), 5U);  // open ones, three pages
    q.tags = {"unretirement"};
    q.author = "jdoe";
    auto mine = client->issues("releng", q);
    ASSERT_EQ(mine.size(), 3U);
    for (const auto& i : mine) {
        EXPECT_EQ(i.user.name, "jdoe");
    }
    q = {};
    q.status = "Closed";
    auto closed = client->issues("releng", q);
    ASSERT_EQ(closed.size(), 1U);
    EXPECT_EQ(closed[0].close_status, "Processed");
}

TEST(Pagure, ProjectsShowOwnersAndAdmins) {
    auto client = flr::pagure::connect(standin().config(), "distgit");
    auto bash = client->project("rpms/bash");
    ASSERT_TRUE(bash);
    EXPECT_EQ(bash->main_admin(), "jdoe");
    EXPECT_EQ(bash->admins, std::vector<std::string>{"akhairna"});
    EXPECT_FALSE(bash->orphaned());
    auto nethack = client->project("rpms/nethack");
    ASSERT_TRUE(nethack);
    EXPECT_TRUE(nethack->orphaned());
    EXPECT_FALSE(client->project("rpms/no-such-package"));
}

TEST(Pagure, RawFilesAndBranches) {
    auto client = flr::pagure::connect(standin().config(), "distgit");
    EXPECT_EQ(client->raw_file("rpms/nethack", "rawhide", "dead.package"), "Orphaned for 6+ weeks\n");
    EXPECT_FALSE(client->raw_file("rpms/nethack", "f43", "dead.package"));
    auto branches = client->branches("rpms/bash");
    EXPECT_EQ(branches.names, (std::vector<std::string>{"f42", "rawhide"}));
    EXPECT_EQ(client->monitoring("rpms/bash"), "monitoring");
}

TEST(Pagure, WritesAreRecordedInTheJournal) {
    StandIn s;
    auto client = flr::pagure::connect(s.config(), "distgit");
    client->set_main_admin("rpms/nethack", "jdoe");
    client->create_branch("rpms/bash", "epel10", {"rawhide", ""});
    client->set_monitoring("rpms/nethack", "monitoring");
    client->create_project({"rpms", "newpkg", "A new package", "", "", false});
    EXPECT_EQ(client->project("rpms/nethack")->main_admin(), "jdoe");
    auto j = s.journal();
    ASSERT_EQ(j.size(), 4U) << j.dump(2);
    EXPECT_EQ(j[0]["method"], "PATCH");
    EXPECT_EQ(j[0]["json"]["main_admin"], "jdoe");
    EXPECT_EQ(j[1]["form"]["from_branch"], "rawhide");
    EXPECT_EQ(j[2]["json"]["anitya_status"], "monitoring");
    EXPECT_EQ(j[3]["path"], "/distgit/api/0/new");
    EXPECT_EQ(j[3]["form"]["namespace"], "rpms");
    for (const auto& e : j) {
        EXPECT_TRUE(e["auth"].get<bool>());
    }
}

TEST(Pagure, CommentAndCloseTicket) {
    StandIn s;
    auto client = flr::pagure::connect(s.config(), "pagure");
    client->comment("releng", 2, "Done.");
    client->set_status("releng", 2, "Closed", "Processed");
    auto issue = client->issue("releng", 2);
    EXPECT_EQ(issue.status, "Closed");
    EXPECT_EQ(issue.close_status, "Processed");
    ASSERT_EQ(issue.comments.size(), 1U);
    EXPECT_EQ(issue.comments[0].comment, "Done.");
}

TEST(Pagure, WithoutATokenWritesAre401) {
    auto config = standin().config("pagure_ro: {url: \"" + standin().url() + "/pagure\"}");
    auto client = flr::pagure::connect(config, "pagure_ro");
    int status = 0;
    auto msg = remote_message([&] { client->comment("releng", 1, "x"); }, status);
    EXPECT_EQ(status, 401) << msg;
    EXPECT_NE(msg.find("EINVALIDTOK"), std::string::npos) << msg;
}

TEST(Pagure, TheTokenNeverShowsInErrors) {
    StandIn s;
    s.fault({{"fail_next", 1}, {"status", 500}, {"path_prefix", "/pagure"}, {"method", "POST"}});
    auto client = flr::pagure::connect(s.config(), "pagure");
    int status = 0;
    auto msg = remote_message([&] { client->comment("releng", 1, "x"); }, status);
    EXPECT_EQ(status, 500);
    EXPECT_EQ(msg.find("pagure-token"), std::string::npos) << msg;
    EXPECT_EQ(s.journal().size(), 1U) << "a POST is not retried";
}

TEST(Pagure, ReadsAreRetriedOn5xxAnd429) {
    StandIn s;
    s.fault({{"fail_next", 2}, {"status", 503}, {"path_prefix", "/pagure"}});
    auto client = flr::pagure::connect(s.config(), "pagure");
    EXPECT_EQ(client->issue("releng", 1).id, 1);
    s.fault({{"fail_next", 1}, {"status", 429}, {"retry_after", 0}, {"path_prefix", "/pagure"}});
    EXPECT_EQ(client->issue("releng", 1).id, 1);
    s.fault({{"fail_next", 3}, {"status", 502}, {"path_prefix", "/pagure"}});
    int status = 0;
    auto msg = remote_message([&] { client->issue("releng", 1); }, status);
    EXPECT_EQ(status, 502) << "retries: 2, so the third failure is final: " << msg;
}

TEST(Pagure, AStalledServerTimesOut) {
    StandIn s;
    s.fault({{"stall_next", 1}, {"seconds", 3}, {"path_prefix", "/pagure"}});
    auto client = flr::pagure::connect(s.config("pagure_slow: {url: \"" + s.url() + "/pagure\", timeout: 1, retries: 0}"),
                                       "pagure_slow");
    auto start = std::chrono::steady_clock::now();
    int status = 0;
    auto msg = remote_message([&] { client->issue("releng", 1); }, status);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
    EXPECT_NE(msg.find("timed out"), std::string::npos) << msg;
}

TEST(Pagure, NothingListensConnectionFails) {
    auto config = flr::Config::parse("pagure: {url: \"http://127.0.0.1:9\", retries: 1, retry_backoff_ms: 10}");
    auto client = flr::pagure::connect(config, "pagure");
    int status = -1;
    auto msg = remote_message([&] { client->issue("releng", 1); }, status);
    EXPECT_EQ(status, 0);
    EXPECT_NE(msg.find("after 2 attempts"), std::string::npos) << msg;
}

TEST(Pagure, ProjectNamesAreStrict) {
    EXPECT_TRUE(flr::pagure::valid_project_name("releng"));
    EXPECT_TRUE(flr::pagure::valid_project_name("releng/fedora-scm-requests"));
    for (const char* bad : {"", "Releng", "a/b/c", "../x", "-x", "releng/", "/releng", "rel eng", "a/.."}) {
        EXPECT_FALSE(flr::pagure::valid_project_name(bad)) << bad;
    }
}
