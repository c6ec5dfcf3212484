#include <flr/log.hpp>

#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <mutex>
#include <string>

namespace flr::log {
namespace {

std::atomic<Level> current_level{Level::warning};
std::string program = "flr";
std::mutex write_mutex;

const char* label(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warning:
            return "warning";
        case Level::error:
            return "error";
        case Level::off:
            break;
    }
    return "";
}

}  // namespace

void set_program(std::string_view name) {
    std::lock_guard lock(write_mutex);
    program = name;
}

void set_level(Level level) {
    current_level.store(level);
}

Level level() noexcept {
    return current_level.load();
}

bool enabled(Level l) noexcept {
    return l != Level::off && l >= current_level.load();
}

void write(Level l, std::string_view message) {
    if (!enabled(l)) {
        return;
    }
    std::lock_guard lock(write_mutex);
    std::string line;
    line.reserve(program.size() + message.size() + 16);
    line.append(program).append(": ").append(label(l)).append(": ").append(message).push_back('\n');
    // One write(2) per line so lines from several threads never interleave.
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

}  // namespace flr::log
