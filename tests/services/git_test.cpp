// The git helper against a bare dist-git repo made by the stand-in's make_distgit.py.
#include "core/fs.hpp"
#include "core/process.hpp"
#include "../unit/test_util.hpp"

#include <flr/config.hpp>
#include <flr/error.hpp>
#include <flr/git.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>

namespace {

nlohmann::json make_distgit(const flr::test::TempDir& dir) {
    flr::process::Spec spec;
    spec.argv = {FLR_PYTHON3, FLR_MAKE_DISTGIT, "--root", dir.file("repos"), "--package", "nethack",
                 "--branch", "rawhide:retired", "--branch", "f43:active", "--retired-days-ago", "35"};
    spec.env = flr::process::minimal_env();
    auto r = flr::process::run(spec, std::chrono::seconds(60));
    if (!r.ok()) {
        throw std::runtime_error("make_distgit.py: " + r.describe() + ": " + r.err);
    }
    return nlohmann::json::parse(r.out);
}

}  // namespace

TEST(Git, FindsTheRetirementCommitAndRevertsIt) {
    flr::test::TempDir dir;
    auto repo_info = make_distgit(dir);
    std::string url = repo_info["path"];
    std::string retirement = repo_info["retirement_commits"]["rawhide"];

    auto config = flr::Config::parse("distgit: {url: \"http://x\", git_url: \"" + dir.file("repos") + "/\"}");
    EXPECT_EQ(flr::git::clone_url(config, "rpms/nethack"), url);
    auto repo = flr::git::clone(url, dir.file("work"));
    auto branches = repo->remote_branches();
    EXPECT_NE(std::find(branches.begin(), branches.end(), "f43"), branches.end());
    repo->checkout("rawhide");
    EXPECT_EQ(repo->head(), retirement);
    EXPECT_EQ(repo->show("rawhide", "dead.package"), "Orphaned for 6+ weeks\n");
    EXPECT_FALSE(repo->show("f43", "dead.package"));

    auto log = repo->log("rawhide", "dead.package", 1);
    ASSERT_EQ(log.size(), 1U);
    EXPECT_EQ(log[0].hash, retirement);
    EXPECT_EQ(log[0].author_email, "releng@fedoraproject.org");
    auto age_days = (std::time(nullptr) - log[0].date) / 86400;
    EXPECT_GE(age_days, 34);
    EXPECT_LE(age_days, 36);
    EXPECT_TRUE(repo->contains("rawhide", retirement));
    EXPECT_FALSE(repo->contains("origin/f43", retirement));

    auto revert = repo->revert(retirement, "Unretirement request: https://pagure.io/releng/issue/12");
    repo->push();

    auto check = flr::git::clone(url, dir.file("check"));
    check->checkout("rawhide");
    EXPECT_EQ(check->head(), revert);
    EXPECT_FALSE(check->show("rawhide", "dead.package"));
    auto top = check->log("rawhide", "", 1).at(0);
    EXPECT_EQ(top.subject, "Unretirement request: https://pagure.io/releng/issue/12");
    EXPECT_NE(top.body.find("This reverts commit " + retirement + "."), std::string::npos) << top.body;
    EXPECT_NE(top.body.find("Signed-off-by: Fedora Release Engineering <releng@fedoraproject.org>"),
              std::string::npos)
        << top.body;
}

TEST(Git, RefusesOptionLookingArgumentsAndMissingRepos) {
    flr::test::TempDir dir;
    EXPECT_THROW(flr::git::clone("--upload-pack=touch /tmp/x", dir.file("w")), flr::UsageError);
    EXPECT_THROW(flr::git::clone(dir.file("nothing-here.git"), dir.file("w")), flr::RemoteError);
    auto repo_info = make_distgit(dir);
    auto repo = flr::git::clone(repo_info["path"], dir.file("work"));
    EXPECT_THROW(repo->checkout("--orphan"), flr::UsageError);
    EXPECT_THROW(repo->checkout("no-such-branch"), flr::Error);
}
