#include "releng/git_history.hpp"

#include "../test_util.hpp"
#include "core/process.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace flr::releng;

namespace {

// A bare dist-git repository whose rawhide and f43 share a retirement commit.
class GitHistoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        bare = tmp.file("rpms/foo.git");
        work = tmp.file("work");
        sh(tmp.path().string(), {"git", "init", "--quiet", "--bare", "-b", "rawhide", bare});
        sh(tmp.path().string(), {"git", "clone", "--quiet", bare, work});
        write("foo.spec", "Name: foo\n");
        commit({"add", "foo.spec"}, "Initial import", "1700000000");
        sh(work, {"git", "rm", "--quiet", "foo.spec"});
        write("dead.package", "Orphaned for 6+ weeks\n");
        commit({"add", "dead.package"}, "Orphaned for 6+ weeks", "1750000000");
        sh(work, {"git", "push", "--quiet", "origin", "HEAD:refs/heads/rawhide", "HEAD:refs/heads/f43"});
    }
    void sh(const std::string& dir, std::vector<std::string> argv, std::vector<std::string> extra = {}) {
        flr::process::Spec spec;
        spec.argv = std::move(argv);
        spec.cwd = dir;
        spec.env = flr::process::minimal_env();
        spec.env.insert(spec.env.end(), {"GIT_AUTHOR_NAME=Jane", "GIT_AUTHOR_EMAIL=jane@example.org",
                                         "GIT_COMMITTER_NAME=Jane", "GIT_COMMITTER_EMAIL=jane@example.org"});
        spec.env.insert(spec.env.end(), extra.begin(), extra.end());
        auto r = flr::process::run(spec);
        ASSERT_TRUE(r.ok()) << r.err;
    }
    void write(const std::string& name, const std::string& text) { std::ofstream(work + "/" + name) << text; }
    void commit(const std::vector<std::string>& add, const std::string& msg, const std::string& date) {
        std::vector<std::string> argv{"git"};
        argv.insert(argv.end(), add.begin(), add.end());
        sh(work, argv);
        sh(work, {"git", "commit", "--quiet", "-m", msg},
           {"GIT_AUTHOR_DATE=@" + date + " +0000", "GIT_COMMITTER_DATE=@" + date + " +0000"});
    }
    flr::test::TempDir tmp;
    std::string bare, work;
    RepoRef repo{"rpms", "foo"};
    flr::git::Identity identity{"Releng", "releng@example.org"};
};

}  // namespace

TEST_F(GitHistoryTest, ReadsTheRetirement) {
    GitHistory git("file://" + tmp.path().string(), identity);
    auto s = git.branch(repo, "rawhide");
    EXPECT_TRUE(s.exists);
    EXPECT_TRUE(s.dead_package);
    ASSERT_TRUE(s.retirement);
    EXPECT_EQ(s.retirement->time, 1750000000);
    EXPECT_EQ(s.retirement->author, "Jane <jane@example.org>");
    EXPECT_EQ(s.retirement->reason, "Orphaned for 6+ weeks");
    EXPECT_EQ(s.retirement->hash, s.head);
    EXPECT_FALSE(git.branch(repo, "f42").exists);
}

TEST_F(GitHistoryTest, RevertsPushesAndFastForwards) {
    std::string url = "file://" + tmp.path().string();
    {
        GitHistory git(url, identity);
        auto before = git.branch(repo, "rawhide");
        std::string head = git.revert(repo, "rawhide", before.retirement->hash, "Unretirement request: https://x/1");
        git.fast_forward(repo, "f43", head);
    }
    GitHistory fresh(url, identity);
    for (const char* b : {"rawhide", "f43"}) {
        auto s = fresh.branch(repo, b);
        EXPECT_FALSE(s.dead_package) << b;
        EXPECT_TRUE(s.retirement) << "the history still names the retirement";
    }
    sh(work, {"git", "fetch", "--quiet"});
    flr::process::Spec spec;
    spec.argv = {"git", "log", "-1", "--format=%s%n%b%n%an", "origin/rawhide"};
    spec.env = flr::process::minimal_env();
    spec.cwd = work;
    auto r = flr::process::run(spec);
    EXPECT_NE(r.out.find("Unretirement request: https://x/1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Signed-off-by: Releng <releng@example.org>"), std::string::npos) << r.out;
    spec.argv = {"git", "show", "origin/f43:foo.spec"};
    EXPECT_TRUE(flr::process::run(spec).ok());
}
