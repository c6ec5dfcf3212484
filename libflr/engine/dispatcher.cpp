#include "engine/dispatcher.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace flr::engine {

namespace {
constexpr std::size_t max_line = 8192;
}

struct Dispatcher::Job {
    std::uint64_t token = 0;
    std::shared_ptr<const Message> msg;
    const Route* route = nullptr;
    int attempt = 1;
    std::optional<std::string> key;  // ordering key, scoped by route
};

struct Dispatcher::Run {
    std::unique_ptr<Job> job;
    process::Child child;
    fs::Fd out;
    std::string partial;
    std::string vars_file;
    Clock::time_point start;
    Clock::time_point deadline;
    bool timed_out = false;
    bool killed = false;
    std::deque<std::string> tail;  // the last lines of output
};

std::chrono::milliseconds backoff_delay(const Route& route, int attempt) {
    auto delay = route.retry_delay;
    for (int i = 1; i < attempt && delay < route.retry_delay_max; ++i) {
        delay *= 2;
    }
    return std::min(delay, route.retry_delay_max);
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

Dispatcher::Dispatcher(DispatchSettings settings, DoneFn done)
    : settings_(std::move(settings)), done_(std::move(done)) {}

Dispatcher::~Dispatcher() {
    for (auto& run : running_) {
        run->child.kill_group(SIGKILL);
        if (!run->vars_file.empty()) {
            ::unlink(run->vars_file.c_str());
        }
    }
}

void Dispatcher::submit(std::uint64_t token, std::shared_ptr<const Message> msg,
                        const std::vector<const Route*>& routes) {
    messages_[token] = MessageState{msg, routes.size(), {}};
    for (const Route* route : routes) {
        auto job = std::make_unique<Job>();
        job->token = token;
        job->msg = msg;
        job->route = route;
        if (route->ordering_key) {
            try {
                job->key = route->name + '\0' + route->ordering_key->expand(FieldContext{*msg, 1});
            } catch (const FieldError& e) {
                log::error(fmt::format("{} {}: ordering key: {}", printable(msg->id), route->name, e.what()));
                log_job(*job, "error: ordering key", 0);
                JobFailure f = failure_of(*job, "error: ordering key: " + std::string(e.what()), -1);
                job_done(std::move(job), false, &f);
                continue;
            }
        }
        enqueue(std::move(job));
    }
}

void Dispatcher::enqueue(std::unique_ptr<Job> job) {
    if (job->key && !active_keys_.insert(*job->key).second) {
        waiting_[*job->key].push_back(std::move(job));
        return;
    }
    ready_.push_back(std::move(job));
}

void Dispatcher::start_ready() {
    while (!paused_ && !ready_.empty() && running_.size() < settings_.workers) {
        auto job = std::move(ready_.front());
        ready_.pop_front();
        start(std::move(job));
    }
}

void Dispatcher::start(std::unique_ptr<Job> job) {
    auto run = std::make_unique<Run>();
    run->start = Clock::now();
    ++counters_.started;
    try {
        Launch launch = prepare(*job->route, *job->msg, job->attempt, settings_.env, ++serial_);
        run->vars_file = std::move(launch.vars_file);
        try {
            run->child = process::spawn(launch.spec);
        } catch (...) {
            if (!run->vars_file.empty()) {
                ::unlink(run->vars_file.c_str());
            }
            throw;
        }
    } catch (const FieldError& e) {
        log::error(fmt::format("{} {}: {}", printable(job->msg->id), job->route->name, e.what()));
        std::string status = "error: " + std::string(e.what());
        log_job(*job, status, 0);
        JobFailure f = failure_of(*job, status, -1);
        attempt_failed(std::move(job), false, f);
        return;
    } catch (const Error& e) {
        log::error(fmt::format("{} {}: {}", printable(job->msg->id), job->route->name, e.what()));
        log_job(*job, "error: cannot start", 0);
        JobFailure f = failure_of(*job, "error: cannot start: " + std::string(e.what()), -1);
        attempt_failed(std::move(job), true, f);
        return;
    }
    run->out = run->child.take_stdout();
    ::fcntl(run->out.get(), F_SETFL, O_NONBLOCK);
    run->deadline = run->start + job->route->timeout;
    run->job = std::move(job);
    running_.push_back(std::move(run));
}

void Dispatcher::poll_fds(std::vector<pollfd>& fds) const {
    for (const auto& run : running_) {
        if (run->out) {
            fds.push_back({run->out.get(), POLLIN, 0});
        }
    }
}

void Dispatcher::on_output(const pollfd* fds, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
            continue;
        }
        for (auto& run : running_) {
            if (run->out.get() == fds[i].fd) {
                read_output(*run, false);
                break;
            }
        }
    }
}

void Dispatcher::read_output(Run& run, bool until_eof) {
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

void Dispatcher::emit_line(Run& run, std::string_view line) {
    run.tail.emplace_back(line.substr(0, 1024));
    if (run.tail.size() > settings_.tail_lines) {
        run.tail.pop_front();
    }
    if (log::enabled(log::Level::info)) {
        log::info(fmt::format("{} {}: {}", printable(run.job->msg->id), run.job->route->name, printable(line)));
    }
}

void Dispatcher::reap() {
    for (std::size_t i = 0; i < running_.size();) {
        auto status = running_[i]->child.try_wait();
        if (!status) {
            ++i;
            continue;
        }
        std::unique_ptr<Run> run = std::move(running_[i]);
        running_[i] = std::move(running_.back());
        running_.pop_back();
        finish(*run, *status);
    }
}

void Dispatcher::finish(Run& run, int wait_status) {
    read_output(run, true);  // what the child wrote before it exited
    if (!run.partial.empty()) {
        emit_line(run, run.partial);
    }
    run.out.reset();
    if (!run.vars_file.empty()) {
        ::unlink(run.vars_file.c_str());
    }
    process::Result result;
    process::decode_status(wait_status, result);
    result.timed_out = run.timed_out;
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - run.start).count();
    log_job(*run.job, result.describe(), ms);
    if (settings_.observe) {
        settings_.observe(run.job->route->name, ms / 1000, result.ok());
    }
    if (result.ok()) {
        job_done(std::move(run.job), true);
        return;
    }
    JobFailure f = failure_of(*run.job, result.describe(), result.timed_out ? -1 : result.exit_code);
    for (const auto& line : run.tail) {
        f.output += printable(line) + '\n';
    }
    attempt_failed(std::move(run.job), true, f);
}

JobFailure Dispatcher::failure_of(const Job& job, const std::string& status, int exit_code) const {
    return JobFailure{job.route->name, status, exit_code, job.attempt, ""};
}

void Dispatcher::attempt_failed(std::unique_ptr<Job> job, bool retryable, const JobFailure& failure) {
    if (retryable && job->attempt < job->route->max_attempts) {
        auto delay = settings_.backoff ? backoff_delay(*job->route, job->attempt) : std::chrono::milliseconds(0);
        ++job->attempt;
        ++counters_.retried;
        if (delay.count() == 0) {
            ready_.push_back(std::move(job));  // keeps its ordering key
        } else {
            log::info(fmt::format("{} {}: attempt {} in {:g} s", printable(job->msg->id), job->route->name,
                                  job->attempt, std::chrono::duration<double>(delay).count()));
            delayed_.emplace(Clock::now() + delay, std::move(job));
        }
        return;
    }
    job_done(std::move(job), false, &failure);
}

void Dispatcher::release_delayed(Clock::time_point now) {
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
        ready_.push_back(std::move(delayed_.begin()->second));
        delayed_.erase(delayed_.begin());
    }
}

void Dispatcher::job_done(std::unique_ptr<Job> job, bool ok, const JobFailure* failure) {
    ++(ok ? counters_.succeeded : counters_.failed);
    if (job->key) {
        auto it = waiting_.find(*job->key);
        if (it != waiting_.end() && !it->second.empty()) {
            ready_.push_back(std::move(it->second.front()));
            it->second.pop_front();
            if (it->second.empty()) {
                waiting_.erase(it);
            }
        } else {
            active_keys_.erase(*job->key);
        }
    }
    auto it = messages_.find(job->token);
    if (it == messages_.end()) {
        return;
    }
    MessageState& state = it->second;
    if (!ok) {
        state.failures.push_back(failure ? *failure : failure_of(*job, "failed", -1));
        log::error(fmt::format("route {} failed after {} attempt(s); message: {}", job->route->name, job->attempt,
                               log_form(*state.msg)));
    }
    if (--state.remaining == 0) {
        std::uint64_t token = it->first;
        std::vector<JobFailure> failures = std::move(state.failures);
        messages_.erase(it);
        done_(token, failures.empty(), failures);
    }
}

void Dispatcher::log_job(const Job& job, const std::string& status, double ms) const {
    if (!log::enabled(log::Level::info)) {
        return;
    }
    log::info(fmt::format("job id=\"{}\" topic=\"{}\" route=\"{}\" attempt={} status=\"{}\" duration_ms={:.1f}",
                          printable(job.msg->id), printable(job.msg->topic), job.route->name, job.attempt,
                          printable(status), ms));
}

void Dispatcher::check_timeouts(Clock::time_point now) {
    release_delayed(now);
    for (auto& run : running_) {
        if (run->deadline > now) {
            continue;
        }
        if (!run->timed_out) {
            run->timed_out = true;
            log::warning(fmt::format("{} {}: timed out after {:g} s, sending TERM to its process group",
                                     printable(run->job->msg->id), run->job->route->name,
                                     std::chrono::duration<double>(run->job->route->timeout).count()));
            run->child.kill_group(SIGTERM);
            run->deadline = now + settings_.kill_grace;
        } else if (!run->killed) {
            run->killed = true;
            run->child.kill_group(SIGKILL);
            run->deadline = now + std::chrono::hours(24 * 365);
        }
    }
}

std::optional<Clock::time_point> Dispatcher::next_deadline() const {
    std::optional<Clock::time_point> next;
    if (!delayed_.empty()) {
        next = delayed_.begin()->first;
    }
    for (const auto& run : running_) {
        if (!next || run->deadline < *next) {
            next = run->deadline;
        }
    }
    return next;
}

}  // namespace flr::engine
