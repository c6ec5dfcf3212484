#include "core/signals.hpp"

#include <flr/error.hpp>

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
    if (pos_ == count_) {
        if (!more_) {
            more_ = true;
            return 0;
        }
        ssize_t n = 0;
        do {
            n = ::read(fd_.get(), batch_.data(), sizeof batch_);
        } while (n < 0 && errno == EINTR);
        pos_ = 0;
        count_ = n > 0 ? static_cast<std::size_t>(n) / sizeof(signalfd_siginfo) : 0;
        more_ = count_ == batch_.size();
        if (count_ == 0) {
            more_ = true;
            return 0;
        }
    }
    return static_cast<int>(batch_[pos_++].ssi_signo);
}

}  // namespace flr
