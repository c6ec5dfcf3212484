#include "releng/unretire_ticket.hpp"

#include <gtest/gtest.h>

using namespace flr::releng;
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

TEST(UnretireTicket, ValidatesNames) {
    EXPECT_TRUE(valid_package_name("python-foo_bar.baz+2"));
    EXPECT_TRUE(valid_package_name("_x"));
    EXPECT_FALSE(valid_package_name("-x"));
    EXPECT_FALSE(valid_package_name(".."));
    EXPECT_FALSE(valid_package_name("a b"));
    EXPECT_FALSE(valid_package_name(""));
    for (const char* b : {"rawhide", "f44", "epel9", "epel10.1", "epel9-next"}) {
        EXPECT_TRUE(valid_branch(b)) << b;
    }
    for (const char* b : {"main", "f", "F44", "f44 ", "epel", "rawhide\n", "f0"}) {
        EXPECT_FALSE(valid_branch(b)) << b;
    }
    EXPECT_TRUE(valid_namespace("rpms"));
    EXPECT_FALSE(valid_namespace("rpms/x"));
    EXPECT_FALSE(valid_user_name("Bob"));
    EXPECT_TRUE(valid_user_name("bob-2"));
}

TEST(UnretireTicket, FindsBugReferences) {
    EXPECT_EQ(find_bug_reference("see rhbz#123"), 123);
    EXPECT_EQ(find_bug_reference("https://bugzilla.redhat.com/2270340"), 2270340);
    EXPECT_EQ(find_bug_reference(" 77 "), 77);
    EXPECT_FALSE(find_bug_reference("version 2 of 3"));
}
