#include "core/signals.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <set>

using flr::SignalFd;

namespace {

std::set<int> drain(SignalFd& s) {
    std::set<int> got;
    for (int sig = s.next(); sig != 0; sig = s.next()) {
        got.insert(sig);
    }
    return got;
}

bool readable(const SignalFd& s) {
    pollfd p{s.fd(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

}  // namespace

TEST(SignalFd, DeliversEachPendingSignalThenNoneAndAgainLater) {
    SignalFd s({SIGUSR1, SIGUSR2, SIGHUP});
    EXPECT_EQ(s.next(), 0);
    ::raise(SIGUSR1);
    ::raise(SIGHUP);
    ASSERT_TRUE(readable(s));
    EXPECT_EQ(drain(s), (std::set<int>{SIGUSR1, SIGHUP}));
    EXPECT_FALSE(readable(s));
    // After a round that said "none", the next round reads again.
    ::raise(SIGUSR2);
    EXPECT_EQ(drain(s), (std::set<int>{SIGUSR2}));
    EXPECT_EQ(s.next(), 0);
}

TEST(SignalFd, RestoresTheSignalMaskWhenDestroyed) {
    sigset_t before;
    ::sigprocmask(SIG_BLOCK, nullptr, &before);
    ASSERT_FALSE(sigismember(&before, SIGUSR2));
    {
        SignalFd s({SIGUSR2});
        sigset_t during;
        ::sigprocmask(SIG_BLOCK, nullptr, &during);
        EXPECT_TRUE(sigismember(&during, SIGUSR2));
    }
    sigset_t after;
    ::sigprocmask(SIG_BLOCK, nullptr, &after);
    EXPECT_FALSE(sigismember(&after, SIGUSR2));
}
