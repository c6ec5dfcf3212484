#include <flr/error.hpp>
#include <flr/interrupt.hpp>

#include <unistd.h>
#include <csignal>

namespace flr {
namespace {

volatile std::sig_atomic_t got_signal = 0;

extern "C" void on_signal(int) {
    if (got_signal) {
        ::_exit(static_cast<int>(ExitCode::interrupted));
    }
    got_signal = 1;
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR and notice
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() noexcept {
    return got_signal != 0;
}

void throw_if_interrupted() {
    if (interrupted()) {
        throw Interrupted();
    }
}

}  // namespace flr
