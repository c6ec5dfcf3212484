#include "core/process.hpp"

#include <flr/error.hpp>

#include "../test_util.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <thread>

using namespace std::chrono_literals;
namespace process = flr::process;

namespace {

process::Spec sh(const std::string& script) {
    return process::Spec{{"/bin/sh", "-c", script}, process::minimal_env(), "", false, std::nullopt};
}

}  // namespace

TEST(Process, CapturesOutputAndExitCode) {
    auto r = process::run(sh("echo out; echo err >&2; exit 3"));
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(r.err, "err\n");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.describe(), "exit 3");
}

TEST(Process, ArgumentsAreNeverInterpretedByAShell) {
    process::Spec spec{
        {"printf", "%s|", "$(touch /tmp/x)", "a b", ";rm -rf /"}, process::minimal_env(), "", false, std::nullopt};
    auto r = process::run(spec);
    EXPECT_EQ(r.out, "$(touch /tmp/x)|a b|;rm -rf /|");
}

TEST(Process, TheEnvironmentIsExactlyTheOneGiven) {
    ::setenv("FLR_LEAKY", "1", 1);
    process::Spec spec{{"env"}, {"PATH=/usr/bin:/bin", "ONLY=this"}, "", false, std::nullopt};
    auto r = process::run(spec);
    EXPECT_EQ(r.out, "PATH=/usr/bin:/bin\nONLY=this\n");
    ::unsetenv("FLR_LEAKY");
}

TEST(Process, NoDescriptorsLeakIntoTheChild) {
    // Only 0, 1, 2 (and the fd ls itself opens for the directory) are visible.
    auto r = process::run(sh("ls /proc/self/fd | wc -l"));
    EXPECT_EQ(r.out, "4\n");
}

TEST(Process, StdinIsDevNullOrTheGivenData) {
    EXPECT_EQ(process::run(sh("cat")).out, "");
    auto spec = sh("cat");
    spec.stdin_data = std::string(200000, 'x');
    EXPECT_EQ(process::run(spec).out.size(), 200000u);
}

TEST(Process, SignalMaskAndDispositionsAreReset) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction previous {};
    sigaction(SIGUSR1, &ignore, &previous);
    auto r = process::run(sh("grep -E '^Sig(Blk|Ign)' /proc/self/status"));
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    sigaction(SIGUSR1, &previous, nullptr);
    // The classic signals (1-31) are neither blocked nor ignored; glibc keeps its
    // internal real-time signals (32, 33) to itself.
    unsigned long long blocked = 0, ignored = 0;
    ASSERT_EQ(std::sscanf(r.out.c_str(), "SigBlk:\t%llx\nSigIgn:\t%llx", &blocked, &ignored), 2) << r.out;
    EXPECT_EQ(blocked & 0x7fffffffULL, 0u);
    EXPECT_EQ(ignored & 0x7fffffffULL, 0u);
}

TEST(Process, TimeoutKillsTheWholeProcessGroup) {
    flr::test::TempDir dir;
    auto marker = dir.file("grandchild-survived");
    // The grandchild ignores nothing special; it would write the marker after 2 s.
    auto r = process::run(sh("(sleep 2; touch " + marker + ") & sleep 30"), 300ms, 200ms);
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.ok());
    std::this_thread::sleep_for(2500ms);
    EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(Process, TermIsFollowedByKillAfterTheGrace) {
    auto start = std::chrono::steady_clock::now();
    auto r = process::run(sh("trap '' TERM; sleep 30"), 200ms, 300ms);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.signal, SIGKILL);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Process, MissingCommandIsAClearError) {
    process::Spec spec{{"flr-no-such-command"}, process::minimal_env(), "", false, std::nullopt};
    try {
        (void)process::spawn(spec);
        FAIL();
    } catch (const flr::Error& e) {
        EXPECT_STREQ(e.what(), "flr-no-such-command: command not found");
    }
}

TEST(Process, WorkingDirectory) {
    flr::test::TempDir dir;
    auto spec = sh("pwd");
    spec.cwd = dir.path().string();
    EXPECT_EQ(process::run(spec).out, dir.path().string() + "\n");
}
