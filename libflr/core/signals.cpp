#include "core/signals.hpp"

#include <flr/error.hpp>

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace flr {

SignalFd::SignalFd(const std::vector<int>& signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) {
        sigaddset(&set, s);
    }
    if (::sigprocmask(SIG_BLOCK, &set, &old_) != 0) {
        throw SystemError("sigprocmask", errno);
    }
    fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd_) {
        int e = errno;
        ::sigprocmask(SIG_SETMASK, &old_, nullptr);
        throw SystemError("signalfd", e);
    }
}

SignalFd::~SignalFd() {
    fd_.reset();
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

int SignalFd::next() {
    signalfd_siginfo info{};
    for (;;) {
        ssize_t n = ::read(fd_.get(), &info, sizeof info);
        if (n == static_cast<ssize_t>(sizeof info)) {
            return static_cast<int>(info.ssi_signo);
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return 0;
    }
}

}  // namespace flr
