#include "releng/scm/run.hpp"
#include "../fakes.hpp"
#include "releng/scm/render.hpp"

#include <gtest/gtest.h>

using namespace flr::releng;
using namespace flr::releng::scm;
using namespace flr::test;

namespace {

class ScmRun : public ::testing::Test {
protected:
    void SetUp() override {
        world.tickets.tickets[3] = Ticket{3, "u", "New Repo for \"rpms/foo\"", "", "req", true, "", {}};
        report.author = "req";
        report.request.action = Action::new_repo;
        report.request.repo = {"rpms", "foo"};
        report.request.branch = "f44";
        report.request.bug = 7;
        report.request.monitor = "monitoring";
    }
    // A request for branch f44 of rpms/bar, whose rawhide is at abc123.
    void branch_request() {
        world.repos.repos["rpms/bar"].branches = {{"rawhide", "abc123"}};
        report.request = {};
        report.request.action = Action::new_branch;
        report.request.repo = {"rpms", "bar"};
        report.request.branch = "f44";
    }
    RunResult run(bool dry_run = false) {
        Ports ports = world.ports();
        return process(report, 3, policy, ports, dry_run);
    }
    FakeWorld world;
    Policy policy;
    Report report;
};

}  // namespace

TEST_F(ScmRun, NewRepoDoesEveryStep) {
    auto res = run();
    ASSERT_FALSE(res.failure) << res.failed_detail();
    EXPECT_EQ(world.repos.log, (std::vector<std::string>{"create rpms/foo", "admin rpms/foo req",
                                                         "monitoring rpms/foo monitoring", "branch rpms/foo f44 c00"}));
    EXPECT_EQ(world.bugzilla.comments[7],
              std::vector<std::string>{"The Pagure repository was created at https://src.example.org/rpms/foo"});
    EXPECT_EQ(world.tickets.tickets[3].close_status, "Processed");
    EXPECT_NE(world.tickets.tickets[3].comments.back().text.find("## Request processed"), std::string::npos);
}

TEST_F(ScmRun, SecondRunChangesNothing) {
    (void)run();
    auto before = world.repos.log.size();
    auto res = run();
    EXPECT_FALSE(res.changed);
    EXPECT_EQ(world.repos.log.size(), before);
    EXPECT_EQ(world.bugzilla.comments[7].size(), 1u);
    for (const auto& s : res.steps) {
        EXPECT_EQ(s.status, StepStatus::already) << s.what;
    }
}

TEST_F(ScmRun, FailureIsRecordedAndARerunFinishes) {
    world.repos.fail_on = "monitoring";
    auto res = run();
    ASSERT_TRUE(res.failure);
    EXPECT_EQ(res.failed_step, "monitoring");
    EXPECT_TRUE(world.tickets.tickets[3].open);
    EXPECT_TRUE(world.tickets.tickets[3].comments.back().text.starts_with(stopped_heading));
    EXPECT_NE(world.tickets.tickets[3].comments.back().text.find("@releng-bot retry"), std::string::npos);
    world.repos.fail_on.clear();
    res = run();
    ASSERT_FALSE(res.failure);
    EXPECT_EQ(res.steps[0].status, StepStatus::already);
    EXPECT_EQ(res.steps[2].status, StepStatus::done);
    EXPECT_EQ(world.tickets.tickets[3].close_status, "Processed");
}

TEST_F(ScmRun, DryRunChangesNothing) {
    auto res = run(true);
    EXPECT_TRUE(res.changed);
    EXPECT_TRUE(world.repos.log.empty());
    EXPECT_TRUE(world.tickets.tickets[3].open);
}

TEST_F(ScmRun, NewBranchFromRawhideHead) {
    branch_request();
    auto res = run();
    ASSERT_FALSE(res.failure) << res.failed_detail();
    EXPECT_EQ(world.repos.repos["rpms/bar"].branches["f44"], "abc123");
    EXPECT_EQ(world.tickets.tickets[3].close_status, "Processed");
}

TEST_F(ScmRun, NoGitBranchWhenNotAsked) {
    branch_request();
    report.request.create_git_branch = false;
    auto res = run();
    EXPECT_EQ(res.steps[0].status, StepStatus::skipped);
    EXPECT_EQ(world.repos.repos["rpms/bar"].branches.count("f44"), 0u);
}
