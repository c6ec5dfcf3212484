// Private: signals as a file descriptor. Blocks the given signals for the process
// and reads them from a non-blocking signalfd; the old mask comes back on destruction.
// Children started by core/process.hpp get an empty mask, so they are unaffected.
#pragma once

#include "core/fs.hpp"

#include <signal.h>
#include <sys/signalfd.h>

#include <array>
#include <cstddef>
#include <vector>

namespace flr {

class SignalFd {
public:
    explicit SignalFd(const std::vector<int>& signals);
    ~SignalFd();
    SignalFd(const SignalFd&) = delete;
    SignalFd& operator=(const SignalFd&) = delete;

    int fd() const noexcept { return fd_.get(); }
    // The next pending signal number, or 0 when none. Reads a batch at a time: after a
    // short read it returns 0 without another read (a signal arriving later keeps the
    // descriptor readable for the next poll).
    int next();

private:
    fs::Fd fd_;
    sigset_t old_{};
    std::array<signalfd_siginfo, 8> batch_{};
    std::size_t pos_ = 0, count_ = 0;
    bool more_ = true;  // the last read filled the batch: read again before saying none
};

}  // namespace flr
