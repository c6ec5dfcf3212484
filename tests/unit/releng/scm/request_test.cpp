#include "releng/scm/request.hpp"

#include <gtest/gtest.h>

using namespace flr::releng::scm;

namespace {

std::string fenced(const std::string& json) {
    return "```\n" + json + "\n```\n";
}

}  // namespace

TEST(ScmRequest, NewRepoAsFedpkgWritesIt) {
    auto p = parse_ticket("New Repo for \"rpms/nethack\"", fenced(R"({
        "action": "new_repo", "branch": "rawhide", "bug_id": 1441813, "description": "",
        "exception": false, "monitor": "monitoring", "namespace": "rpms", "repo": "nethack",
        "summary": "A rogue-like single player dungeon exploration game", "upstreamurl": ""})"));
    ASSERT_EQ(p.kind, TicketParse::Kind::request) << (p.problems.empty() ? "" : p.problems[0]);
    EXPECT_EQ(p.request.action, Action::new_repo);
    EXPECT_EQ(p.request.repo.fullname(), "rpms/nethack");
    EXPECT_EQ(p.request.bug, 1441813);
    EXPECT_EQ(p.request.monitor, "monitoring");
    EXPECT_FALSE(p.request.exception);
    EXPECT_TRUE(p.request.initial_commit);
}

TEST(ScmRequest, TestsNamespaceForm) {
    auto p = parse_ticket("New Repo for \"tests/foo\"", fenced(R"({"action": "new_repo", "branch": "master",
        "bug_id": "", "monitor": "no-monitoring", "namespace": "tests", "repo": "foo", "description": "t"})"));
    ASSERT_EQ(p.kind, TicketParse::Kind::request);
    EXPECT_FALSE(p.request.bug);
    EXPECT_EQ(p.request.repo.ns, "tests");
}

TEST(ScmRequest, NewBranchWithSls) {
    auto p = parse_ticket("New Branch \"abc\" for \"rpms/nethack\"",
                          fenced(R"({"action": "new_branch", "branch": "abc", "namespace": "rpms", "repo": "nethack",
                                     "create_git_branch": true, "sls": {"security_fixes": "2027-12-01"}})"));
    ASSERT_EQ(p.kind, TicketParse::Kind::request);
    EXPECT_EQ(p.request.branch, "abc");
    EXPECT_EQ(p.request.sls.at("security_fixes"), "2027-12-01");
    EXPECT_TRUE(p.request.create_git_branch);
}

TEST(ScmRequest, OtherTicketsAreNotRequests) {
    EXPECT_EQ(parse_ticket("Please help", "hello").kind, TicketParse::Kind::other);
    EXPECT_EQ(parse_ticket("Please help", fenced("{\"a\": 1}")).kind, TicketParse::Kind::other);
}

TEST(ScmRequest, RequestTitleWithoutJsonIsMalformed) {
    auto p = parse_ticket("New Repo for \"rpms/foo\"", "please");
    ASSERT_EQ(p.kind, TicketParse::Kind::malformed);
    EXPECT_NE(p.problems.at(0).find("no ``` block"), std::string::npos);
    p = parse_ticket("New Repo for \"rpms/foo\"", "```\nnot json\n```");
    ASSERT_EQ(p.kind, TicketParse::Kind::malformed);
    EXPECT_NE(p.problems.at(0).find("not a JSON object"), std::string::npos);
}

TEST(ScmRequest, BadTitleWithJsonIsMalformed) {
    auto p = parse_ticket("repo please", fenced(R"({"action": "new_repo", "repo": "foo", "namespace": "rpms"})"));
    ASSERT_EQ(p.kind, TicketParse::Kind::malformed);
    EXPECT_NE(p.problems.at(0).find("title"), std::string::npos);
}

TEST(ScmRequest, TitleAndBodyMustAgree) {
    auto p = parse_ticket("New Repo for \"rpms/foo\"",
                          fenced(R"({"action": "new_repo", "repo": "bar", "namespace": "rpms"})"));
    ASSERT_EQ(p.kind, TicketParse::Kind::malformed);
    EXPECT_NE(p.problems.at(0).find("the title names rpms/foo but the body rpms/bar"), std::string::npos);
}

TEST(ScmRequest, WrongTypesAreEachReported) {
    auto p = parse_ticket("New Repo for \"rpms/foo\"",
                          fenced(R"({"action": "new_repo", "repo": "foo", "namespace": "rpms", "exception": 3,
                                     "bug_id": [1], "sls": "x"})"));
    ASSERT_EQ(p.kind, TicketParse::Kind::malformed);
    EXPECT_EQ(p.problems.size(), 3u);
}

TEST(ScmRequest, UnknownActionIsMalformed) {
    auto p = parse_ticket("New Repo for \"rpms/foo\"", fenced(R"({"action": "delete", "repo": "foo"})"));
    ASSERT_EQ(p.kind, TicketParse::Kind::malformed);
    EXPECT_NE(p.problems.at(0).find("neither new_repo nor new_branch"), std::string::npos);
}
