#include "releng/unretirement/request.hpp"

#include <gtest/gtest.h>

using namespace flr::releng;
using namespace flr::releng::unretirement;
using Kind = TicketParse::Kind;

namespace {

const char* kFedpkgBody = R"(```
{
 "action": "unretirement",
 "name": "nethack",
 "type": "rpms",
 "branches": ["rawhide", "f44"],
 "review_bugzilla": "1441813",
 "maintainer": "akhairna"
}
```
Please unretire it.)";

}  // namespace

TEST(UnretireTicket, ReadsTheFedpkgBody) {
    auto p = parse_ticket("Unretire nethack", kFedpkgBody, "someone");
    ASSERT_EQ(p.kind, Kind::request) << p.reason;
    EXPECT_EQ(p.request.form, "fedpkg");
    EXPECT_EQ(p.request.repo.fullname(), "rpms/nethack");
    EXPECT_EQ(p.request.branches, (std::vector<std::string>{"rawhide", "f44"}));
    EXPECT_EQ(p.request.bug, 1441813);
    EXPECT_EQ(p.request.requester, "akhairna");
}

TEST(UnretireTicket, AcceptsAliasesAndDefaults) {
    auto p =
        parse_ticket("whatever", "```\n{\"action\":\"unretirement\",\"package\":\"foo\",\"bug\":42}\n```", "author");
    ASSERT_EQ(p.kind, Kind::request) << p.reason;
    EXPECT_EQ(p.request.repo.fullname(), "rpms/foo");
    EXPECT_TRUE(p.request.branches.empty());
    EXPECT_EQ(p.request.bug, 42);
    EXPECT_EQ(p.request.requester, "author");
}

TEST(UnretireTicket, ReadsThePlainTitle) {
    auto p =
        parse_ticket("Unretire rpms/python-foo", "Review: https://bugzilla.redhat.com/show_bug.cgi?id=2270340", "jdoe");
    ASSERT_EQ(p.kind, Kind::request) << p.reason;
    EXPECT_EQ(p.request.form, "title");
    EXPECT_EQ(p.request.repo.fullname(), "rpms/python-foo");
    EXPECT_EQ(p.request.bug, 2270340);
    EXPECT_EQ(p.request.requester, "jdoe");
    EXPECT_EQ(parse_ticket("unretire bar", "", "jdoe").request.repo.fullname(), "rpms/bar");
}

TEST(UnretireTicket, IgnoresOtherTickets) {
    EXPECT_EQ(parse_ticket("Mass rebuild for F45", "hello", "x").kind, Kind::other);
    EXPECT_EQ(
        parse_ticket("New Repo for \"rpms/foo\"", "```\n{\"action\": \"new_repo\", \"repo\": \"foo\"}\n```", "x").kind,
        Kind::other);
    EXPECT_EQ(parse_ticket("Question", "```\nnot json\n```", "x").kind, Kind::other);
}

TEST(UnretireTicket, ReportsMalformedRequests) {
    auto bad_json = parse_ticket("Unretire foo", "```\n{\"action\": \"unretirement\", \n```", "x");
    EXPECT_EQ(bad_json.kind, Kind::malformed);
    EXPECT_NE(bad_json.reason.find("not a JSON object"), std::string::npos);
    auto bad_name = parse_ticket("x", "```\n{\"action\":\"unretirement\",\"name\":\"foo;rm -rf\"}\n```", "x");
    EXPECT_EQ(bad_name.kind, Kind::malformed);
    EXPECT_NE(bad_name.reason.find("invalid package name"), std::string::npos);
    auto bad_branch =
        parse_ticket("x", "```\n{\"action\":\"unretirement\",\"name\":\"foo\",\"branches\":[\"main\"]}\n```", "x");
    EXPECT_NE(bad_branch.reason.find("invalid branch \"main\""), std::string::npos);
    EXPECT_EQ(parse_ticket("x", "```\n{\"action\":\"unretirement\"}\n```", "x").reason,
              "ticket body: no package \"name\"");
    EXPECT_EQ(parse_ticket("Unretire rpms/../etc", "", "x").kind, Kind::malformed);
    EXPECT_EQ(parse_ticket("Unretire nope/foo", "", "x").kind, Kind::malformed);
    EXPECT_EQ(
        parse_ticket("x", "```\n{\"action\":\"unretirement\",\"name\":\"foo\",\"review_bugzilla\":\"soon\"}\n```", "x")
            .kind,
        Kind::malformed);
}

// issue 16, item 3: a review bug commented on the ticket counts; the newest wins; flr's
// own reports are not read as the requester's answer.
TEST(UnretireTicket, ReviewBugFromCommentsNewestWins) {
    std::vector<flr::releng::TicketComment> comments{
        {"jdoe", "Here it is: https://bugzilla.redhat.com/show_bug.cgi?id=100"},
        {"releng-bot", "## Unretirement check: rpms/foo\n\nBug rhbz#7 ..."},
    };
    auto bug = review_bug(std::nullopt, comments);
    ASSERT_TRUE(bug);
    EXPECT_EQ(bug->id, 100);
    EXPECT_EQ(bug->source, "a comment by jdoe");
    comments.push_back({"alice", "newer review: rhbz#200"});
    EXPECT_EQ(review_bug(5, comments)->id, 200);
    auto body = review_bug(5, {{"jdoe", "thanks"}});
    ASSERT_TRUE(body);
    EXPECT_EQ(body->id, 5);
    EXPECT_EQ(body->source, "the ticket body");
    EXPECT_FALSE(review_bug(std::nullopt, {}));
}
