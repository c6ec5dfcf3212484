#include "releng/unretirement/check.hpp"
#include "../fakes.hpp"
#include "releng/unretirement/render.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

using namespace flr::releng;
using namespace flr::releng::unretirement;
using namespace flr::test;

namespace {

class UnretireCheck : public ::testing::Test {
protected:
    void SetUp() override {
        policy.phase = Phase::auto_recent;
        policy.rawhide_tag = "f44";
        world.packages.projects["rpms/foo"] = ProjectInfo{"alice", {"alice", "bob"}};
        world.koji.blocks["f44:foo"] = true;
        world.koji.blocks["f43:foo"] = true;
    }
    CheckReport run(std::vector<std::string> branches = {}, std::optional<std::int64_t> bug = {}) {
        Ports ports = world.ports();
        return check(CheckRequest{repo, std::move(branches), bug, "req", "https://pagure.io/releng/issue/1"}, policy,
                     ports);
    }
    bool has_reason(const CheckReport& r, const std::string& text) {
        for (const auto& reason : r.reasons) {
            if (reason.text.find(text) != std::string::npos) {
                return true;
            }
        }
        return false;
    }
    FakeWorld world;
    Policy policy;
    RepoRef repo{"rpms", "foo"};
};

}  // namespace

TEST_F(UnretireCheck, RecentRetirementIsAuto) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned for 6+ weeks");
    auto r = run();
    EXPECT_EQ(r.verdict, Verdict::automatic);
    ASSERT_EQ(r.branches.size(), 1u);
    EXPECT_EQ(r.branches[0].age_days, 35);
    ASSERT_EQ(r.branches[0].tags.size(), 1u);
    EXPECT_EQ(r.branches[0].tags[0].tag, "f44");
    EXPECT_EQ(r.branches[0].tags[0].blocked, true);
    EXPECT_TRUE(r.reasons.empty());
}

TEST_F(UnretireCheck, OldRetirementWithoutReviewNeedsReview) {
    world.distgit.retire(repo, "rawhide", 70, "Orphaned for 6+ weeks");
    auto r = run();
    EXPECT_EQ(r.verdict, Verdict::needs_review);
    EXPECT_TRUE(has_reason(r, "no review bug was given"));
}

TEST_F(UnretireCheck, OldRetirementWithApprovedReview) {
    world.distgit.retire(repo, "rawhide", 70, "Orphaned");
    world.bugzilla.approve(42, "foo");
    auto r = run({}, 42);
    EXPECT_EQ(r.verdict, Verdict::manual) << "auto-recent leaves old ones to people";
    ASSERT_TRUE(r.review);
    EXPECT_TRUE(r.review->approved);
    policy.phase = Phase::auto_all;
    EXPECT_EQ(run({}, 42).verdict, Verdict::automatic);
}

TEST_F(UnretireCheck, ReviewProblemsAreNamed) {
    world.distgit.retire(repo, "rawhide", 70, "Orphaned");
    world.bugzilla.approve(42, "foo");
    world.bugzilla.bugs[42].fedora_review->setter = "req@example.org";
    world.bugzilla.bugs[42].component = "foo";
    policy.phase = Phase::auto_all;
    auto r = run({}, 42);
    EXPECT_EQ(r.verdict, Verdict::needs_review);
    EXPECT_TRUE(has_reason(r, "set by its reporter"));
    EXPECT_TRUE(has_reason(r, "not Fedora/Package Review"));
    EXPECT_TRUE(has_reason(run({}, 99), "bug 99 does not exist"));
}

TEST_F(UnretireCheck, LegalRetirementIsRefused) {
    world.distgit.retire(repo, "rawhide", 3, "Retired: license is not acceptable for Fedora");
    auto r = run();
    EXPECT_EQ(r.verdict, Verdict::refuse);
    EXPECT_TRUE(r.branches[0].legal);
    EXPECT_TRUE(legal_reason("Legal issues"));
    EXPECT_TRUE(legal_reason("patent concerns"));
    EXPECT_FALSE(legal_reason("Orphaned for 6+ weeks"));
}

TEST_F(UnretireCheck, RefusesUnknownPackagesMissingBranchesAndLivePackages) {
    RepoRef other{"rpms", "nope"};
    Ports ports = world.ports();
    auto unknown = check(CheckRequest{other, {}, {}, "req", ""}, policy, ports);
    EXPECT_EQ(unknown.verdict, Verdict::refuse);
    EXPECT_TRUE(has_reason(unknown, "not a known package"));
    EXPECT_TRUE(has_reason(run({"f42"}), "branch f42 does not exist"));
    world.distgit.retire(repo, "rawhide", 3, "x");
    world.distgit.branches["rpms/foo:rawhide"].dead_package = false;
    auto live = run();
    EXPECT_EQ(live.verdict, Verdict::refuse);
    EXPECT_TRUE(has_reason(live, "not retired"));
}

TEST_F(UnretireCheck, PolicyKeepsSomeForPeople) {
    world.distgit.retire(repo, "rawhide", 3, "x");
    policy.deny = {"foo"};
    EXPECT_TRUE(has_reason(run(), "deny-list"));
    policy.deny.clear();
    policy.phase = Phase::report_only;
    EXPECT_EQ(run().verdict, Verdict::manual);
    policy.phase = Phase::auto_all;
    world.koji.blocks.erase("f44:foo");
    EXPECT_TRUE(has_reason(run(), "has no entry"));
}

TEST_F(UnretireCheck, MultipleBranchesAndTheRawhideTagName) {
    world.distgit.retire(repo, "rawhide", 3, "x");
    world.distgit.retire(repo, "f43", 3, "x");
    auto r = run({"f44", "f43", "rawhide"});
    EXPECT_EQ(r.verdict, Verdict::automatic);
    ASSERT_EQ(r.branches.size(), 2u) << "f44 is rawhide, named twice";
    EXPECT_EQ(r.branches[0].name, "rawhide");
    EXPECT_EQ(r.branches[1].tags[0].tag, "f43");
}

TEST_F(UnretireCheck, RendersMarkdownAndJson) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned | <b>bold</b>");
    world.packages.projects["rpms/foo"].owner = "orphan";
    auto r = run();
    std::string md = render_markdown(r);
    EXPECT_NE(md.find("**Verdict: `auto`**"), std::string::npos) << md;
    EXPECT_NE(md.find("THIS IS AN ORPHAN PACKAGE"), std::string::npos);
    EXPECT_NE(md.find("Orphaned \\| \\<b\\>bold\\</b\\>"), std::string::npos) << md;
    EXPECT_NE(md.find("f44: blocked"), std::string::npos);
    auto j = render_json(r);
    EXPECT_EQ(j["verdict"], "auto");
    EXPECT_EQ(j["ownership"]["orphan"], true);
    EXPECT_EQ(j["branches"][0]["retirement"]["age_days"], 35);
    EXPECT_EQ(j["branches"][0]["koji"][0]["blocked"], true);
}

// issue 16, item 1: a never-retired package or a missing branch is refused for what it is,
// with no 8-week or policy-phase line about an age it does not have.
TEST_F(UnretireCheck, NeverRetiredOrMissingBranchSaysOnlyThat) {
    world.distgit.branches["rpms/foo:rawhide"] = BranchState{true, "abc", false, std::nullopt};
    auto live = run();
    EXPECT_EQ(live.verdict, Verdict::refuse);
    ASSERT_EQ(live.reasons.size(), 1u) << live.reasons.back().text;
    EXPECT_TRUE(has_reason(live, "branch rawhide is not retired"));
    auto missing = run({"f42"});
    EXPECT_EQ(missing.verdict, Verdict::refuse);
    ASSERT_EQ(missing.reasons.size(), 1u) << missing.reasons.back().text;
    EXPECT_TRUE(has_reason(missing, "branch f42 does not exist"));
    EXPECT_EQ(render_markdown(missing).find("needs-review"), std::string::npos);
}

// issue 16, item 2: fedora-review+ from before the retirement is the old review.
TEST_F(UnretireCheck, ReviewApprovedBeforeTheRetirementDoesNotCount) {
    world.distgit.retire(repo, "rawhide", 70, "Orphaned");
    world.bugzilla.approve(42, "foo");
    world.bugzilla.bugs[42].fedora_review->date = "2015-03-01T10:00:00Z";
    policy.phase = Phase::auto_all;
    auto r = run({}, 42);
    EXPECT_EQ(r.verdict, Verdict::needs_review);
    EXPECT_FALSE(r.review->approved);
    EXPECT_TRUE(has_reason(r, "was set on 2015-03-01, before the retirement"));
    EXPECT_NE(render_markdown(r).find("not a re-review"), std::string::npos);
    world.bugzilla.bugs[42].fedora_review->date = "not a date";
    EXPECT_TRUE(has_reason(run({}, 42), "cannot be read"));
}

// issue 16, item 4: the new owner of an orphan is checked before anything changes.
TEST_F(UnretireCheck, OrphanGoesOnlyToAnExistingUser) {
    world.distgit.retire(repo, "rawhide", 35, "Orphaned");
    world.packages.projects["rpms/foo"].owner = "orphan";
    Ports ports = world.ports();
    auto ghost = check(CheckRequest{repo, {}, {}, "ghost", "https://pagure.io/releng/issue/1"}, policy, ports);
    EXPECT_EQ(ghost.verdict, Verdict::refuse);
    EXPECT_TRUE(has_reason(ghost, "would go to ghost, who has no dist-git account"));
    EXPECT_NE(render_markdown(ghost).find("has no dist-git account"), std::string::npos);
    EXPECT_EQ(render_json(ghost)["requester_exists"], false);
    EXPECT_EQ(run().verdict, Verdict::automatic) << "req has an account";
}

// issue 16, items 3 and 8: the Markdown carries the requester, where the bug was found,
// and the bug's status and reporter, as the JSON does.
TEST_F(UnretireCheck, MarkdownCarriesWhatTheJsonCarries) {
    world.distgit.retire(repo, "rawhide", 70, "Orphaned");
    world.bugzilla.approve(42, "foo");
    Ports ports = world.ports();
    CheckRequest req{repo, {}, 42, "newbie", "https://pagure.io/releng/issue/1"};
    req.bug_source = "a comment by newbie";
    req.author = "jdoe";
    auto r = check(req, policy, ports);
    std::string md = render_markdown(r);
    EXPECT_NE(md.find("Requester: newbie (named by the ticket's author, jdoe)"), std::string::npos) << md;
    EXPECT_NE(md.find("Bug rhbz#42 (from a comment by newbie)"), std::string::npos) << md;
    EXPECT_NE(md.find("status ASSIGNED, reported by req@example.org"), std::string::npos) << md;
    auto j = render_json(r);
    EXPECT_EQ(j["requester"], "newbie");
    EXPECT_EQ(j["review"]["status"], "ASSIGNED");
    EXPECT_EQ(j["review"]["creator"], "req@example.org");
    EXPECT_EQ(j["review"]["source"], "a comment by newbie");
}

TEST_F(UnretireCheck, MalformedTicketReport) {
    auto r = malformed_report("ticket body: no package \"name\"", "https://pagure.io/releng/issue/9", policy);
    EXPECT_EQ(r.verdict, Verdict::manual);
    EXPECT_NE(render_markdown(r).find("could not be read"), std::string::npos);
    EXPECT_EQ(render_json(r)["malformed"], "ticket body: no package \"name\"");
}

TEST(UnretirePolicy, ReadsConfig) {
    auto cfg = flr::Config::parse(
        "unretirement:\n  phase: auto-all\n  max_age_days: 30\n  rawhide_tag: f45\n  deny: [kernel]\n"
        "  namespaces: [rpms, container]\n");
    auto p = Policy::from_config(cfg);
    EXPECT_EQ(p.phase, Phase::auto_all);
    EXPECT_EQ(p.max_age_days, 30);
    EXPECT_TRUE(p.denied("kernel"));
    EXPECT_EQ(p.koji_tags("rpms", "rawhide"), std::vector<std::string>{"f45"});
    EXPECT_EQ(p.koji_tags("container", "f43"), std::vector<std::string>{"f43-container"});
    EXPECT_EQ(p.koji_tags("rpms", "epel9"), std::vector<std::string>{"epel9"});
    EXPECT_THROW(Policy::from_config(flr::Config::parse("unretirement:\n  phase: yolo\n")), flr::ConfigError);
    EXPECT_THROW(Policy::from_config(flr::Config::parse("unretirement:\n  typo: 1\n")), flr::ConfigError);
    EXPECT_THROW(Policy().koji_tags("rpms", "rawhide"), flr::ConfigError);
    EXPECT_EQ(Policy::from_config(flr::Config()).phase, Phase::report_only);
}
