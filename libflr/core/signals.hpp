// Private: signals as a file descriptor. Blocks the given signals for the process
// and reads them from a non-blocking signalfd; the old mask comes back on destruction.
// Children started by core/process.hpp get an empty mask, so they are unaffected.
#pragma once

#include "core/fs.hpp"

#include <signal.h>

#include <vector>

namespace flr {

class SignalFd {
public:
    explicit SignalFd(const std::vector<int>& signals);
    ~SignalFd();
    SignalFd(const SignalFd&) = delete;
    SignalFd& operator=(const SignalFd&) = delete;

    int fd() const noexcept { return fd_.get(); }
    // The next pending signal number, or 0 when none.
    int next();

private:
    fs::Fd fd_;
    sigset_t old_{};
};

}  // namespace flr
