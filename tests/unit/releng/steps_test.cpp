#include "releng/steps.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

using namespace flr::releng;

namespace {

// A state the steps look at before they change it.
struct World {
    bool a = false;
    bool b = false;
    bool fail_b = false;
    int actions = 0;
};

std::vector<PlannedStep> plan(World& w) {
    return {
        {"a",
         [&w](StepContext& s) {
             if (w.a) {
                 s.already("a is set");
                 return;
             }
             if (!s.dry_run()) {
                 w.a = true;
                 ++w.actions;
             }
             s.changed("set a");
         }},
        {"b",
         [&w](StepContext& s) {
             if (w.b) {
                 s.already("b is set");
                 return;
             }
             if (w.fail_b) {
                 throw flr::RemoteError("svc", "b refused");
             }
             if (!s.dry_run()) {
                 w.b = true;
                 ++w.actions;
             }
             s.changed("set b");
         }},
        {"c", [](StepContext& s) { s.skipped("nothing to do for c"); }},
    };
}

}  // namespace

TEST(RelengSteps, RunsEachStepAndASecondRunChangesNothing) {
    World w;
    StepRecord first;
    run_steps(plan(w), false, first);
    EXPECT_TRUE(first.changed);
    EXPECT_FALSE(first.failure);
    ASSERT_EQ(first.steps.size(), 3u);
    EXPECT_EQ(first.steps[0].status, StepStatus::done);
    EXPECT_EQ(first.steps[1].status, StepStatus::done);
    EXPECT_EQ(first.steps[2].status, StepStatus::skipped);
    EXPECT_EQ(w.actions, 2);

    StepRecord second;
    run_steps(plan(w), false, second);
    EXPECT_FALSE(second.changed);
    EXPECT_EQ(second.steps[0].status, StepStatus::already);
    EXPECT_EQ(second.steps[1].status, StepStatus::already);
    EXPECT_EQ(w.actions, 2);
}

TEST(RelengSteps, DryRunSaysWhatWouldChangeAndChangesNothing) {
    World w;
    StepRecord r;
    run_steps(plan(w), true, r);
    EXPECT_TRUE(r.changed);
    EXPECT_EQ(r.steps[0].status, StepStatus::would);
    EXPECT_EQ(r.steps[1].status, StepStatus::would);
    EXPECT_EQ(w.actions, 0);
    EXPECT_FALSE(w.a);
}

TEST(RelengSteps, StopsAtTheFirstFailureAndAReRunFinishes) {
    World w;
    w.fail_b = true;
    StepRecord r;
    int failures = 0;
    run_steps(plan(w), false, r, [&](const StepRecord& rec) {
        ++failures;
        EXPECT_EQ(rec.failed_step, "b");
    });
    EXPECT_EQ(failures, 1);
    ASSERT_TRUE(r.failure);
    EXPECT_THROW(std::rethrow_exception(r.failure), flr::RemoteError);
    EXPECT_EQ(r.steps[0].status, StepStatus::done);
    EXPECT_EQ(r.steps[1].status, StepStatus::failed);
    EXPECT_EQ(r.steps[1].detail, "svc: b refused");
    EXPECT_EQ(r.steps[2].status, StepStatus::not_run);

    w.fail_b = false;
    StepRecord again;
    run_steps(plan(w), false, again);
    EXPECT_FALSE(again.failure);
    EXPECT_EQ(again.steps[0].status, StepStatus::already);
    EXPECT_EQ(again.steps[1].status, StepStatus::done);
    EXPECT_EQ(w.actions, 2);
}

TEST(RelengSteps, AnnouncedStepsShowInTheRecordDuringTheirAction) {
    StepRecord r;
    std::string seen;
    std::vector<PlannedStep> p{{"ticket", [&](StepContext& s) {
                                    s.announce("closing with this comment");
                                    seen = steps_markdown(s.record().steps);
                                    s.changed("closed");
                                }}};
    run_steps(p, false, r);
    EXPECT_EQ(seen, "- ticket: done (closing with this comment)\n");
    EXPECT_EQ(steps_markdown(r.steps), "- ticket: done (closed)\n");
}

TEST(RelengSteps, RendersMarkdownInertAndJson) {
    std::vector<Step> steps{{"git rawhide", StepStatus::failed, "push refused: *bold* [x](y)\nsecond"},
                            {"ticket", StepStatus::not_run, ""}};
    EXPECT_EQ(steps_markdown(steps),
              "- git rawhide: FAILED (push refused: \\*bold\\* \\[x\\](y) second)\n- ticket: not run\n");
    auto j = steps_json(steps);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["status"], "FAILED");
    EXPECT_EQ(j[1]["step"], "ticket");
    EXPECT_EQ(j[1]["detail"], "");
}
