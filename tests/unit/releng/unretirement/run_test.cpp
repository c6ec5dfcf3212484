#include "releng/unretirement/run.hpp"
#include "../fakes.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

using namespace flr::releng;
using namespace flr::releng::unretirement;
using namespace flr::test;

namespace {

class UnretireRun : public ::testing::Test {
protected:
    void SetUp() override {
        policy.phase = Phase::auto_recent;
        policy.rawhide_tag = "f44";
        world.packages.projects["rpms/foo"] = ProjectInfo{"alice", {"alice"}};
        world.koji.blocks["f44:foo"] = true;
        world.koji.blocks["f43:foo"] = true;
        world.tickets.tickets[7] = Ticket{7, url, "Unretire rpms/foo", "", "req", true, "", {}};
    }
    UnretireResult run(std::vector<std::string> branches = {"rawhide"}, UnretireOptions opt = {}) {
        Ports ports = world.ports();
        return unretire(CheckRequest{repo, std::move(branches), {}, "req", url}, 7, policy, ports, opt);
    }
    FakeWorld world;
    Policy policy;
    RepoRef repo{"rpms", "foo"};
    std::string url = "https://pagure.io/releng/issue/7";
};

}  // namespace

TEST_F(UnretireRun, RevertsUnblocksCommentsAndCloses) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    auto res = run();
    EXPECT_FALSE(res.failure);
    EXPECT_TRUE(res.changed);
    ASSERT_EQ(world.distgit.log.size(), 1u);
    EXPECT_EQ(world.distgit.log[0], "revert rawhide c0ffeerawhide Unretirement request: " + url);
    EXPECT_EQ(world.koji.log, std::vector<std::string>{"unblock f44 foo"});
    EXPECT_TRUE(world.packages.log.empty());
    EXPECT_EQ(world.tickets.log, (std::vector<std::string>{"comment 7", "close 7 Processed"}));
    EXPECT_NE(world.tickets.tickets[7].comments[0].text.find("koji f44: done"), std::string::npos);
    EXPECT_NE(world.tickets.tickets[7].comments[0].text.find("ticket: done (closing as Processed with this comment)"),
              std::string::npos);
}

TEST_F(UnretireRun, SecondRunChangesNothing) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    run();
    auto again = run();
    EXPECT_FALSE(again.changed);
    EXPECT_FALSE(again.failure);
    for (const auto& s : again.steps) {
        EXPECT_EQ(s.status, StepStatus::already) << s.what;
    }
    EXPECT_EQ(world.distgit.log.size(), 1u);
    EXPECT_EQ(world.tickets.log.size(), 2u);
}

TEST_F(UnretireRun, RefusesWithoutAutoUnlessForced) {
    world.distgit.retire(repo, "rawhide", 70, "Orphaned");
    EXPECT_THROW(run(), flr::Error);
    EXPECT_TRUE(world.distgit.log.empty());
    UnretireOptions force;
    force.force = true;
    EXPECT_FALSE(run({"rawhide"}, force).failure);
    EXPECT_EQ(world.distgit.log.size(), 1u);
}

TEST_F(UnretireRun, DryRunChangesNothing) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    UnretireOptions dry;
    dry.dry_run = true;
    auto res = run({"rawhide"}, dry);
    EXPECT_TRUE(res.changed);
    EXPECT_EQ(res.steps[0].status, StepStatus::would);
    EXPECT_TRUE(world.distgit.log.empty());
    EXPECT_TRUE(world.koji.log.empty());
    EXPECT_TRUE(world.tickets.log.empty());
}

TEST_F(UnretireRun, OrphanGoesToTheRequester) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    world.packages.projects["rpms/foo"].owner = "orphan";
    run();
    EXPECT_EQ(world.packages.log, std::vector<std::string>{"give rpms/foo req"});
}

TEST_F(UnretireRun, SharedRetirementCommitIsRevertedOnce) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned", "samehead");
    world.distgit.retire(repo, "f43", 35, "Orphaned", "samehead");
    world.distgit.branches["rpms/foo:f43"].retirement->hash = "c0ffeerawhide";
    run({"rawhide", "f43"});
    EXPECT_EQ(world.distgit.log, (std::vector<std::string>{"revert rawhide c0ffeerawhide Unretirement request: " + url,
                                                           "ff f43 revert0"}));
    EXPECT_FALSE(world.distgit.branches["rpms/foo:f43"].dead_package);
    EXPECT_EQ(world.koji.log, (std::vector<std::string>{"unblock f44 foo", "unblock f43 foo"}));
}

TEST_F(UnretireRun, DivergedBranchesGetTheirOwnRevert) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    world.distgit.retire(repo, "f43", 35, "Orphaned");
    run({"rawhide", "f43"});
    ASSERT_EQ(world.distgit.log.size(), 2u);
    EXPECT_EQ(world.distgit.log[1], "revert f43 c0ffeef43 Unretirement request: " + url);
}

TEST_F(UnretireRun, FailureHalfWayIsRecordedAndARerunFinishes) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    world.distgit.retire(repo, "f43", 35, "Orphaned");
    world.distgit.fail_revert_on = "f43";
    auto res = run({"rawhide", "f43"});
    ASSERT_TRUE(res.failure);
    EXPECT_EQ(res.steps[0].status, StepStatus::done);
    EXPECT_EQ(res.steps[1].status, StepStatus::done);
    EXPECT_EQ(res.steps[2].status, StepStatus::failed);
    EXPECT_EQ(res.steps[3].status, StepStatus::not_run);
    EXPECT_TRUE(world.tickets.tickets[7].open);
    ASSERT_EQ(world.tickets.tickets[7].comments.size(), 1u);
    EXPECT_NE(world.tickets.tickets[7].comments[0].text.find("stopped"), std::string::npos);

    world.distgit.fail_revert_on.clear();
    auto again = run({"rawhide", "f43"});
    EXPECT_FALSE(again.failure);
    EXPECT_EQ(again.steps[0].status, StepStatus::already);
    EXPECT_EQ(again.steps[2].status, StepStatus::done);
    EXPECT_FALSE(world.tickets.tickets[7].open);
}

// issue 16, item 4: a new owner without an account stops the run before its first change.
TEST_F(UnretireRun, UnknownNewOwnerIsRefusedBeforeAnyChange) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    world.packages.projects["rpms/foo"].owner = "orphan";
    Ports ports = world.ports();
    EXPECT_THROW(unretire(CheckRequest{repo, {"rawhide"}, {}, "ghost", url}, 7, policy, ports, {}), flr::Error);
    EXPECT_TRUE(world.distgit.log.empty());
    EXPECT_TRUE(world.koji.log.empty());
    EXPECT_TRUE(world.tickets.log.empty());
}

// issue 16, item 7: the failure comment names no service URL, session or token.
TEST_F(UnretireRun, FailureCommentHoldsNoServiceUrlOrSession) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    world.distgit.fail_revert_on = "rawhide";
    world.distgit.fail_message =
        "POST https://koji.example.org/kojihub?session-id=12345&session-key=<redacted>&callnum=3: HTTP 500";
    auto res = run();
    ASSERT_TRUE(res.failure);
    ASSERT_FALSE(world.tickets.tickets[7].comments.empty());
    const std::string& comment = world.tickets.tickets[7].comments.back().text;
    EXPECT_EQ(comment.find("session"), std::string::npos) << comment;
    EXPECT_EQ(comment.find("koji.example.org"), std::string::npos) << comment;
    EXPECT_EQ(comment.find("12345"), std::string::npos) << comment;
    EXPECT_NE(comment.find("HTTP 500"), std::string::npos) << comment;
}
