// One test per validation rule of flr-check-scm-request(1), in the rules' order.
#include "releng/scm/check.hpp"
#include "../fakes.hpp"

#include <gtest/gtest.h>

using namespace flr::releng;
using namespace flr::releng::scm;
using namespace flr::test;

namespace {

class ScmCheck : public ::testing::Test {
protected:
    void SetUp() override {
        policy.releases["f44"] = *parse_lenient_date("2027-05-19");
        policy.releases["f42"] = *parse_lenient_date("2026-05-13");
        world.accounts.users["req"] = Account{"req", {"req@example.org"}, ""};
        world.accounts.group_members["releng"] = {"boss"};
        world.accounts.group_members["provenpackager"] = {"pp"};
        world.bugzilla.approve(7, "foo");  // reported by req@example.org, approved by rev@example.org
        world.bugzilla.bugs[7].assignee = "rev@example.org";
        FakeRepos::Repo existing;
        existing.access.main_admin = "alice";
        existing.access.admins = {"alice"};
        existing.access.committers = {"carol"};
        existing.access.collaborators = {{"dave", {"epel*"}}};
        existing.access.commit_groups = {"kde-sig"};
        existing.access.collaborator_groups = {{"python-sig", {"f4*"}}};
        existing.branches = {{"rawhide", "abc123"}, {"f42", "def456"}};
        world.repos.repos["rpms/bar"] = existing;
    }
    ScmRequest repo_request() {
        ScmRequest r;
        r.action = Action::new_repo;
        r.repo = {"rpms", "foo"};
        r.branch = "rawhide";
        r.bug = 7;
        r.monitor = "monitoring";
        r.summary = "a package";
        return r;
    }
    ScmRequest branch_request(std::string branch, std::string author_repo = "bar") {
        ScmRequest r;
        r.action = Action::new_branch;
        r.repo = {"rpms", author_repo};
        r.branch = std::move(branch);
        return r;
    }
    Report run(const ScmRequest& r, const std::string& author = "req", std::vector<TicketComment> comments = {}) {
        Ports ports = world.ports();
        return check(CheckInput{r, author, "https://pagure.io/t/1", std::move(comments)}, policy, ports);
    }
    static const Check& rule(const Report& r, const std::string& name) {
        for (const auto& c : r.checks) {
            if (c.rule == name) {
                return c;
            }
        }
        throw std::runtime_error("no rule " + name);
    }
    static void fails(const Report& r, const std::string& name, const std::string& text, Verdict v = Verdict::invalid) {
        const Check& c = rule(r, name);
        EXPECT_EQ(c.outcome, Outcome::fail) << name;
        EXPECT_NE(c.message.find(text), std::string::npos) << c.message;
        EXPECT_EQ(r.verdict, v);
    }
    FakeWorld world;
    Policy policy;
};

}  // namespace

TEST_F(ScmCheck, ValidNewRepo) {
    auto r = run(repo_request());
    EXPECT_EQ(r.verdict, Verdict::valid) << r.reasons().at(0);
    EXPECT_EQ(r.checks.front().rule, "namespace");
}

TEST_F(ScmCheck, Repo1NamespaceAllowed) {
    policy.namespaces = {"rpms"};
    auto req = repo_request();
    req.repo.ns = "container";
    fails(run(req), "namespace", "not one flr creates repositories in");
}

TEST_F(ScmCheck, Repo2Name) {
    auto req = repo_request();
    req.repo.name = "-foo";
    fails(run(req), "name", "^[a-zA-Z0-9_][a-zA-Z0-9-_.+]*$");
}

TEST_F(ScmCheck, Repo3NotInDistGit) {
    auto req = repo_request();
    req.repo.name = "bar";
    world.bugzilla.approve(7, "bar");
    fails(run(req), "not in dist-git", "already exists in dist-git");
}

TEST_F(ScmCheck, Repo3ResumingCountsTheRepoAsDone) {
    auto req = repo_request();
    world.repos.repos["rpms/foo"] = {};
    Ports ports = world.ports();
    auto r = check(CheckInput{req, "req", "u", {}, true}, policy, ports);
    EXPECT_EQ(r.verdict, Verdict::valid);
}

TEST_F(ScmCheck, Repo4Monitor) {
    auto req = repo_request();
    req.monitor = "sometimes";
    fails(run(req), "monitor", "monitoring-stable-scratch");
    for (const char* ok : {"no-monitoring", "monitoring-all-scratch", "monitoring-stable"}) {
        req.monitor = ok;
        EXPECT_EQ(run(req).verdict, Verdict::valid) << ok;
    }
}

TEST_F(ScmCheck, Repo5ReviewBugRequired) {
    auto req = repo_request();
    req.bug.reset();
    fails(run(req), "review bug", "a review bug is required");
}

TEST_F(ScmCheck, Repo5NoReviewForTestsFlatpaksModules) {
    auto req = repo_request();
    req.bug.reset();
    for (const char* ns : {"tests", "flatpaks", "modules"}) {
        req.repo.ns = ns;
        auto r = run(req);
        EXPECT_EQ(r.verdict, Verdict::valid) << ns;
        EXPECT_EQ(rule(r, "review bug").outcome, Outcome::skipped);
    }
}

TEST_F(ScmCheck, Repo5ExceptionNeedsApproval) {
    auto req = repo_request();
    req.bug.reset();
    req.exception = true;
    auto r = run(req);
    fails(r, "exception approved", "approval of the releng group", Verdict::needs_approval);
    EXPECT_EQ(r.approvers, std::vector<std::string>{"boss"});
    // a valid from someone else does not count; from a release engineer it does
    r = run(req, "req", {{"req", "@releng-bot valid"}});
    EXPECT_EQ(r.verdict, Verdict::needs_approval);
    r = run(req, "req", {{"boss", "@releng-bot valid"}});
    EXPECT_EQ(r.verdict, Verdict::valid);
    EXPECT_EQ(r.approved_by, "boss");
}

TEST_F(ScmCheck, Repo5BugMustExist) {
    auto req = repo_request();
    req.bug = 99;
    fails(run(req), "review bug", "bug 99 does not exist");
}

TEST_F(ScmCheck, Review1Component) {
    world.bugzilla.bugs[7].component = "kernel";
    fails(run(repo_request()), "review: component", "not \"Package Review\"");
}

TEST_F(ScmCheck, Review1ContainerComponent) {
    auto req = repo_request();
    req.repo.ns = "container";
    world.bugzilla.bugs[7].product = "Fedora Container Images";
    fails(run(req), "review: component", "not \"Container Review\"");
}

TEST_F(ScmCheck, Review2Product) {
    world.bugzilla.bugs[7].product = "Red Hat Enterprise Linux 9";
    fails(run(repo_request()), "review: product", "not Fedora or Fedora EPEL");
    world.bugzilla.bugs[7].product = "Fedora EPEL";
    EXPECT_EQ(run(repo_request()).verdict, Verdict::valid);
}

TEST_F(ScmCheck, Review3Assigned) {
    world.bugzilla.bugs[7].assignee = "nobody@fedoraproject.org";
    fails(run(repo_request()), "review: assigned", "not assigned");
}

TEST_F(ScmCheck, Review4FlagPlus) {
    world.bugzilla.bugs[7].fedora_review->status = "?";
    auto r = run(repo_request());
    fails(r, "review: fedora-review+", "no fedora-review+");
    EXPECT_EQ(rule(r, "review: flag setter").outcome, Outcome::skipped);
}

TEST_F(ScmCheck, Review5SetByAssigneeNotReporter) {
    world.bugzilla.bugs[7].fedora_review->setter = "req@example.org";
    fails(run(repo_request()), "review: flag setter", "not by the assignee");
}

TEST_F(ScmCheck, Review6FlagAge) {
    world.bugzilla.bugs[7].fedora_review->date = "2026-11-01T00:00:00Z";  // 75 days before kNow
    fails(run(repo_request()), "review: flag age", "more than 60 days ago");
    world.bugzilla.bugs[7].fedora_review->date = "2026-11-20T00:00:00Z";  // 56 days
    EXPECT_EQ(run(repo_request()).verdict, Verdict::valid);
}

TEST_F(ScmCheck, Review7Summary) {
    world.bugzilla.bugs[7].summary = "Review Request: foobar - a package";
    fails(run(repo_request()), "review: summary", "is not \"Review Request: foo - <summary>\"");
}

TEST_F(ScmCheck, Review8ReporterIsTheTicketAuthor) {
    world.accounts.users["other"] = Account{"other", {"other@example.org"}, ""};
    fails(run(repo_request(), "other"), "review: reporter", "not by the ticket's author other");
    // rhbzemail wins over the first of emails
    world.accounts.users["other"].rhbzemail = "req@example.org";
    EXPECT_EQ(run(repo_request(), "other").verdict, Verdict::valid);
    fails(run(repo_request(), "ghost"), "review: reporter", "has no Fedora account");
}

TEST_F(ScmCheck, ReasonsAreAllGiven) {
    auto req = repo_request();
    req.monitor = "x";
    world.bugzilla.bugs[7].component = "kernel";
    EXPECT_EQ(run(req).reasons().size(), 2u);
}

TEST_F(ScmCheck, ValidNewBranch) {
    auto r = run(branch_request("f44"), "alice");
    EXPECT_EQ(r.verdict, Verdict::valid) << r.reasons().at(0);
}

TEST_F(ScmCheck, Branch1RepoExists) {
    auto r = run(branch_request("f44", "nope"), "alice");
    fails(r, "repo exists", "does not exist in dist-git");
    EXPECT_EQ(rule(r, "branch is new").outcome, Outcome::skipped);
}

TEST_F(ScmCheck, Branch2ActiveRelease) {
    fails(run(branch_request("f30"), "alice"), "branch", "not an active Fedora release");
    fails(run(branch_request("f43"), "alice"), "branch", "not an active Fedora release");
}

TEST_F(ScmCheck, Branch2EpelForms) {
    for (const char* b : {"epel9", "epel10.1", "epel9-next"}) {
        EXPECT_EQ(run(branch_request(b), "alice").verdict, Verdict::valid) << b;
    }
    fails(run(branch_request("epel9-playground"), "alice"), "branch", "is not valid");
}

TEST_F(ScmCheck, Branch2ReleaseBranchesTakeNoSls) {
    auto req = branch_request("f44");
    req.sls["security_fixes"] = "2027-12-01";
    fails(run(req, "alice"), "branch", "takes no service levels");
}

TEST_F(ScmCheck, Branch2OtherBranchNeedsSls) {
    fails(run(branch_request("feature"), "alice"), "branch", "must give its service levels");
}

TEST_F(ScmCheck, Branch2SlsOnJuneOrDecemberFirst) {
    auto req = branch_request("feature");
    req.sls["security_fixes"] = "2027-11-01";
    fails(run(req, "alice"), "branch", "must end on June 1st or December 1st");
    req.sls["security_fixes"] = "2027-12-01";
    EXPECT_EQ(run(req, "alice").verdict, Verdict::valid);
}

TEST_F(ScmCheck, Branch2SlsInTheFuture) {
    auto req = branch_request("feature");
    req.sls["bug_fixes"] = "2026-12-01";
    fails(run(req, "alice"), "branch", "must end in the future");
}

TEST_F(ScmCheck, Branch2SlsMustBeRealDates) {
    auto req = branch_request("feature");
    req.sls["bug_fixes"] = "2027-11-31";
    fails(run(req, "alice"), "branch", "is not a date");
}

TEST_F(ScmCheck, Branch3BranchIsNew) {
    policy.releases["f42"] = *parse_lenient_date("2027-05-13");
    fails(run(branch_request("f42"), "alice"), "branch is new", "already exists");
}

TEST_F(ScmCheck, Branch4RequesterLevels) {
    EXPECT_EQ(run(branch_request("f44"), "alice").verdict, Verdict::valid);   // admin
    EXPECT_EQ(run(branch_request("f44"), "carol").verdict, Verdict::valid);   // committer
    EXPECT_EQ(run(branch_request("epel9"), "dave").verdict, Verdict::valid);  // collaborator on epel*
    world.accounts.group_members["kde-sig"] = {"erin"};
    EXPECT_EQ(run(branch_request("f44"), "erin").verdict, Verdict::valid);  // commit group
    world.accounts.group_members["python-sig"] = {"finn"};
    EXPECT_EQ(run(branch_request("f44"), "finn").verdict, Verdict::valid);  // collaborator group on f4*
    EXPECT_EQ(run(branch_request("f44"), "pp").verdict, Verdict::valid);    // provenpackager
}

TEST_F(ScmCheck, Branch4OthersNeedAMaintainersApproval) {
    auto r = run(branch_request("f44"), "dave");  // a collaborator on epel* only
    fails(r, "requester", "is not a maintainer of rpms/bar", Verdict::needs_approval);
    EXPECT_EQ(r.approvers, (std::vector<std::string>{"alice", "carol"}));
    r = run(branch_request("f44"), "dave", {{"mallory", "@releng-bot valid"}});
    EXPECT_EQ(r.verdict, Verdict::needs_approval);
    r = run(branch_request("f44"), "dave", {{"carol", "@releng-bot valid"}});
    EXPECT_EQ(r.verdict, Verdict::valid);
    EXPECT_EQ(r.approved_by, "carol");
}

TEST_F(ScmCheck, Branch4ProvenpackagersAreNotEnoughForEpel) {
    fails(run(branch_request("epel9"), "pp"), "requester", "provenpackager is not enough for EPEL",
          Verdict::needs_approval);
}

TEST_F(ScmCheck, Branch5EpelDeniedWhenRhelShipsEverywhere) {
    world.rhel.arches[9] = {"aarch64", "i686", "noarch", "ppc64le", "s390x", "x86_64"};
    world.rhel.shipped[9]["bar"] = {"aarch64", "ppc64le", "s390x", "x86_64"};
    auto r = run(branch_request("epel9"), "alice");
    fails(r, "not in RHEL", "already an EL package", Verdict::denied);
    world.rhel.shipped[9]["bar"] = {"x86_64"};
    EXPECT_EQ(run(branch_request("epel9"), "alice").verdict, Verdict::valid);
    world.rhel.shipped[9]["bar"] = {"noarch"};
    fails(run(branch_request("epel9"), "alice"), "not in RHEL", "already an EL package", Verdict::denied);
}

TEST_F(ScmCheck, RhelArchesIgnored) {
    EXPECT_TRUE(rhel_ships_everywhere(7, {{"i686", "ppc", "x86_64", "noarch"}, {"x86_64"}}));
    EXPECT_FALSE(rhel_ships_everywhere(6, {{"i686", "x86_64"}, {"x86_64"}}));
    EXPECT_TRUE(rhel_ships_everywhere(6, {{"i386", "ppc", "x86_64"}, {"x86_64"}}));
    EXPECT_EQ(epel_major("epel10.1"), 10);
    EXPECT_FALSE(epel_major("f44"));
}

TEST_F(ScmCheck, MalformedReportIsInvalid) {
    auto r = malformed_report({"a", "b"}, "req", "u");
    EXPECT_EQ(r.verdict, Verdict::invalid);
    EXPECT_EQ(r.reasons().size(), 2u);
}
