#include "engine/runner.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace flr::engine {

namespace {
constexpr std::size_t max_line = 8192;
}

struct ProcessRunner::Run {
    std::uint64_t id = 0;
    const Route* route = nullptr;
    const Message* msg = nullptr;
    process::Child child;
    fs::Fd out;
    std::string partial;
    std::string vars_file;
    Clock::time_point start;
    process::Timeout timeout;
    std::deque<std::string> tail;  // the last lines of output
};

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            out += fmt::format("\\x{:02x}", u);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

ProcessRunner::ProcessRunner(RunnerSettings settings) : settings_(std::move(settings)) {}

// Children still running are killed with their groups (process::Child).
ProcessRunner::~ProcessRunner() {
    for (auto& run : runs_) {
        if (!run->vars_file.empty()) {
            ::unlink(run->vars_file.c_str());
        }
    }
}

void ProcessRunner::start(std::uint64_t id, const Route& route, const Message& msg, int attempt,
                          const std::vector<const Message*>& batch) {
    auto run = std::make_unique<Run>();
    run->id = id;
    run->route = &route;
    run->msg = &msg;
    run->start = Clock::now();
    Launch launch = prepare(route, msg, attempt, settings_.env, id, batch);
    run->vars_file = std::move(launch.vars_file);
    try {
        run->child = process::spawn(launch.spec);
    } catch (...) {
        if (!run->vars_file.empty()) {
            ::unlink(run->vars_file.c_str());
        }
        throw;
    }
    run->out = run->child.take_stdout();
    ::fcntl(run->out.get(), F_SETFL, O_NONBLOCK);
    run->timeout = process::Timeout(run->start + route.timeout, settings_.kill_grace);
    runs_.push_back(std::move(run));
}

void ProcessRunner::poll_fds(std::vector<pollfd>& fds) const {
    for (const auto& run : runs_) {
        if (run->out) {
            fds.push_back({run->out.get(), POLLIN, 0});
        }
    }
}

void ProcessRunner::on_output(const pollfd* fds, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
            continue;
        }
        for (auto& run : runs_) {
            if (run->out.get() == fds[i].fd) {
                read_output(*run, false);
                break;
            }
        }
    }
}

void ProcessRunner::read_output(Run& run, bool until_eof) {
    char buf[16384];
    while (run.out) {
        ssize_t got = ::read(run.out.get(), buf, sizeof buf);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            if (got == 0 || errno != EAGAIN) {
                run.out.reset();
            }
            break;
        }
        run.partial.append(buf, static_cast<std::size_t>(got));
        std::size_t start = 0;
        for (auto nl = run.partial.find('\n'); nl != std::string::npos; nl = run.partial.find('\n', start)) {
            emit_line(run, std::string_view(run.partial).substr(start, nl - start));
            start = nl + 1;
        }
        run.partial.erase(0, start);
        if (run.partial.size() > max_line) {
            emit_line(run, run.partial);
            run.partial.clear();
        }
        if (!until_eof && static_cast<std::size_t>(got) < sizeof buf) {
            break;
        }
    }
}

void ProcessRunner::emit_line(Run& run, std::string_view line) {
    run.tail.emplace_back(line.substr(0, 1024));
    if (run.tail.size() > settings_.tail_lines) {
        run.tail.pop_front();
    }
    if (log::enabled(log::Level::info)) {
        log::info(fmt::format("{} {}: {}", printable(run.msg->id), run.route->name, printable(line)));
    }
}

void ProcessRunner::reap(std::vector<RunEnd>& ended) {
    for (std::size_t i = 0; i < runs_.size();) {
        auto status = runs_[i]->child.try_wait();
        if (!status) {
            ++i;
            continue;
        }
        std::unique_ptr<Run> run = std::move(runs_[i]);
        runs_[i] = std::move(runs_.back());
        runs_.pop_back();
        ended.push_back(end(*run, *status));
    }
}

RunEnd ProcessRunner::end(Run& run, int wait_status) {
    read_output(run, true);  // what the child wrote before it exited
    if (!run.partial.empty()) {
        emit_line(run, run.partial);
    }
    run.out.reset();
    if (!run.vars_file.empty()) {
        ::unlink(run.vars_file.c_str());
    }
    RunEnd e;
    e.id = run.id;
    process::decode_status(wait_status, e.result);
    e.result.timed_out = run.timeout.timed_out();
    e.tail = std::move(run.tail);
    e.ms = std::chrono::duration<double, std::milli>(Clock::now() - run.start).count();
    return e;
}

void ProcessRunner::check_timeouts(Clock::time_point now) {
    for (auto& run : runs_) {
        if (run->timeout.deadline() > now) {
            continue;
        }
        if (run->timeout.expire(run->child, now) == SIGTERM) {
            log::warning(fmt::format("{} {}: timed out after {:g} s, sending TERM to its process group",
                                     printable(run->msg->id), run->route->name,
                                     std::chrono::duration<double>(run->route->timeout).count()));
        }
    }
}

std::optional<Clock::time_point> ProcessRunner::next_deadline() const {
    std::optional<Clock::time_point> next;
    for (const auto& run : runs_) {
        if (!next || run->timeout.deadline() < *next) {
            next = run->timeout.deadline();
        }
    }
    return next;
}

}  // namespace flr::engine
