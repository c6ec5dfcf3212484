#include "core/process.hpp"

#include <flr/error.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>
#include <sched.h>
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

extern char** environ;

namespace flr::process {
namespace {

struct Pipe {
    fs::Fd read;
    fs::Fd write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw SystemError("pipe", errno);
    }
    return Pipe{fs::Fd(fds[0]), fs::Fd(fds[1])};
}

}  // namespace

std::optional<std::string> env_lookup(const std::vector<std::string>& env, const std::string& name) {
    for (const auto& e : env) {
        if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
            return e.substr(name.size() + 1);
        }
    }
    return std::nullopt;
}

std::optional<std::string> find_executable(const std::string& name, const std::string& path) {
    if (name.empty()) {
        return std::nullopt;
    }
    if (name.find('/') != std::string::npos) {
        return ::access(name.c_str(), X_OK) == 0 ? std::optional(name) : std::nullopt;
    }
    size_t start = 0;
    while (start <= path.size()) {
        size_t colon = path.find(':', start);
        std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        if (dir.empty()) {
            dir = ".";
        }
        std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        if (colon == std::string::npos) {
            break;
        }
        start = colon + 1;
    }
    return std::nullopt;
}

std::vector<std::string> minimal_env(const std::vector<std::string>& allow) {
    std::vector<std::string> env;
    auto copy = [&](const std::string& name, const char* fallback) {
        const char* v = std::getenv(name.c_str());
        if (v) {
            env.push_back(name + "=" + v);
        } else if (fallback) {
            env.push_back(name + "=" + fallback);
        }
    };
    copy("PATH", "/usr/local/bin:/usr/bin:/bin");
    copy("HOME", "/");
    copy("LANG", "C.UTF-8");
    for (const auto& name : allow) {
        if (name != "PATH" && name != "HOME" && name != "LANG") {
            copy(name, nullptr);
        }
    }
    return env;
}

Child::~Child() {
    if (pid_ > 0) {
        kill_group(SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

Child::Child(Child&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), in_(std::move(o.in_)), out_(std::move(o.out_)), err_(std::move(o.err_)) {}

Child& Child::operator=(Child&& o) noexcept {
    if (this != &o) {
        this->~Child();
        pid_ = std::exchange(o.pid_, -1);
        in_ = std::move(o.in_);
        out_ = std::move(o.out_);
        err_ = std::move(o.err_);
    }
    return *this;
}

int Timeout::expire(const Child& child, Clock::time_point now) noexcept {
    switch (stage_) {
        case Stage::running:
            stage_ = Stage::terminated;
            deadline_ = now + grace_;
            child.kill_group(SIGTERM);
            return SIGTERM;
        case Stage::terminated:
            stage_ = Stage::killed;
            deadline_ = Clock::time_point::max();
            child.kill_group(SIGKILL);
            return SIGKILL;
        case Stage::killed:
            break;
    }
    return 0;
}

void Child::kill_group(int sig) const noexcept {
    if (pid_ > 0) {
        ::kill(-pid_, sig);
    }
}

int Child::wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) {
            throw SystemError("waitpid", errno);
        }
    }
    pid_ = -1;
    return status;
}

std::optional<int> Child::try_wait() {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        pid_ = -1;
        return status;
    }
    return std::nullopt;
}

namespace {

// What the child does between clone and exec. It shares our memory (CLONE_VM) while we
// wait (CLONE_VFORK), so it makes only system calls and reports failure in `error`.
struct ChildSetup {
    const char* exe;
    char* const* argv;
    char* const* envp;
    int in_fd;  // -1: /dev/null
    int out_fd;
    int err_fd;
    const char* cwd;  // nullptr: inherit
    int max_fd;       // for kernels without close_range(2) (before 5.9)
    int error = 0;
};

// Close every descriptor from `first` up; system calls only, as the child needs.
bool close_from(int first, int max_fd) {
    if (::close_range(static_cast<unsigned>(first), ~0U, 0) == 0) {
        return true;
    }
    if (errno != ENOSYS) {
        return false;
    }
    for (int fd = first; fd < max_fd; ++fd) {
        ::close(fd);
    }
    return true;
}

// One hexadecimal mask field of /proc/self/status ("SigCgt:\t0000000000004a02").
std::uint64_t status_mask(const char* text, const char* field) {
    const char* at = std::strstr(text, field);
    if (!at) {
        return ~std::uint64_t{0};
    }
    std::uint64_t mask = 0;
    for (at += std::strlen(field); *at != '\n' && *at != '\0'; ++at) {
        char c = *at;
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (digit < 0) {
            return ~std::uint64_t{0};
        }
        mask = mask << 4 | static_cast<std::uint64_t>(digit);
    }
    return mask;
}

// The signals this (child) process catches or ignores, from the kernel's own record of
// its dispositions: one read instead of a sigaction call for each of the 64 signals.
// Every signal when /proc is not there. System calls and plain C only.
std::uint64_t non_default_signals() {
    char text[4096];
    int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return ~std::uint64_t{0};
    }
    std::size_t len = 0;
    ssize_t n = 0;
    while (len < sizeof text - 1 && (n = ::read(fd, text + len, sizeof text - 1 - len)) > 0) {
        len += static_cast<std::size_t>(n);
    }
    ::close(fd);
    text[len] = '\0';
    return status_mask(text, "\nSigCgt:\t") | status_mask(text, "\nSigIgn:\t");
}

int child_main(void* arg) {
    auto* c = static_cast<ChildSetup*>(arg);
    // No handler of ours may run on this side: the child shares our memory until it
    // execs. Caught and ignored signals go back to their defaults.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    std::uint64_t reset = non_default_signals();
    for (int sig = 1; sig < NSIG && sig <= 64; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP && (reset >> (sig - 1) & 1)) {
            ::sigaction(sig, &dfl, nullptr);  // glibc's internal signals refuse: fine
        }
    }
    int in = c->in_fd >= 0 ? c->in_fd : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    bool ok = in >= 0 && ::setpgid(0, 0) == 0 && (in == 0 || ::dup2(in, 0) == 0) &&
              (c->out_fd == 1 || ::dup2(c->out_fd, 1) == 1) && (c->err_fd == 2 || ::dup2(c->err_fd, 2) == 2) &&
              close_from(3, c->max_fd) && (!c->cwd || ::chdir(c->cwd) == 0);
    if (ok) {
        for (int fd = 0; fd < 3; ++fd) {
            ::fcntl(fd, F_SETFD, 0);
        }
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(c->exe, c->argv, c->envp);
    }
    c->error = errno ? errno : EINVAL;
    ::_exit(127);
}

// The descriptor limit, read once (only kernels without close_range(2) need it).
int open_max() {
    static const int max = static_cast<int>(std::min(::sysconf(_SC_OPEN_MAX), 65536L));
    return max;
}

// clone(CLONE_VM | CLONE_VFORK) on a reused stack: no page-table copy and no stack
// mmap/munmap per child, about half the parent's CPU of glibc's posix_spawn.
pid_t fast_spawn(ChildSetup& setup) {
    constexpr std::size_t stack_size = 64 * 1024;
    thread_local std::unique_ptr<char[]> stack(new char[stack_size]);
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old);  // no handler may run on the child's side
    pid_t pid = ::clone(child_main, stack.get() + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &setup);
    int e = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) {
        setup.error = e;
    } else if (setup.error != 0) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        pid = -1;
    }
    return pid;
}

}  // namespace

namespace {

// argv/envp arrays for execve: pointers into `strings`, then a null.
std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const auto& s : strings) {
        out.push_back(const_cast<char*>(s.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

}  // namespace

Child spawn(const Spec& spec) {
    if (spec.argv.empty()) {
        throw LogicError("cannot run an empty command");
    }
    // A name with a slash is executed as is (execve reports a missing file, see below);
    // other names are looked up in the child's PATH.
    std::optional<std::string> exe = spec.argv[0];
    if (spec.argv[0].find('/') == std::string::npos) {
        exe = find_executable(spec.argv[0], env_lookup(spec.env, "PATH").value_or("/usr/bin:/bin"));
    }
    auto cannot_start = [&spec](int err) {
        return err == ENOENT ? Error(fmt::format("{}: command not found", spec.argv[0]))
                             : Error(fmt::format("{}: cannot start: {}", spec.argv[0], std::strerror(err)));
    };
    if (!exe) {
        throw cannot_start(ENOENT);
    }

    Pipe out = make_pipe();
    Pipe err = spec.merge_stderr ? Pipe{} : make_pipe();
    Pipe in = spec.stdin_data ? make_pipe() : Pipe{};
    std::vector<char*> cargv = c_strings(spec.argv);
    std::vector<char*> cenvp = c_strings(spec.env);

    ChildSetup setup{exe->c_str(),
                     cargv.data(),
                     cenvp.data(),
                     spec.stdin_data ? in.read.get() : -1,
                     out.write.get(),
                     spec.merge_stderr ? out.write.get() : err.write.get(),
                     spec.cwd.empty() ? nullptr : spec.cwd.c_str(),
                     open_max()};
    pid_t pid = fast_spawn(setup);
    if (pid < 0) {
        throw cannot_start(setup.error);
    }
    Child child;
    child.pid_ = pid;
    child.out_ = std::move(out.read);
    child.err_ = std::move(err.read);
    child.in_ = std::move(in.write);
    return child;
}

void decode_status(int status, Result& r) {
    if (WIFEXITED(status)) {
        r.exit_code = WEXITSTATUS(status);
        r.signal = 0;
    } else if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
        r.exit_code = 128 + r.signal;
    }
}

std::string Result::describe() const {
    if (timed_out) {
        return "timed out";
    }
    if (signal != 0) {
        return fmt::format("signal {}", signal);
    }
    return fmt::format("exit {}", exit_code);
}

Result run(const Spec& spec, std::chrono::milliseconds timeout, std::chrono::milliseconds grace) {
    using clock = Timeout::Clock;
    Child child = spawn(spec);
    fs::Fd in = child.take_stdin();
    fs::Fd out = child.take_stdout();
    fs::Fd err = child.take_stderr();
    Result result;
    size_t written = 0;
    const std::string empty;
    const std::string& input = spec.stdin_data ? *spec.stdin_data : empty;
    if (in && input.empty()) {
        in.reset();
    }
    if (in) {
        ::fcntl(in.get(), F_SETFL, O_NONBLOCK);
    }

    Timeout timer(clock::now() + timeout, grace);
    char buf[65536];
    while (out || err) {
        pollfd fds[3];
        nfds_t n = 0;
        int idx_out = -1, idx_err = -1, idx_in = -1;
        if (out) {
            idx_out = static_cast<int>(n);
            fds[n++] = {out.get(), POLLIN, 0};
        }
        if (err) {
            idx_err = static_cast<int>(n);
            fds[n++] = {err.get(), POLLIN, 0};
        }
        if (in) {
            idx_in = static_cast<int>(n);
            fds[n++] = {in.get(), POLLOUT, 0};
        }
        auto now = clock::now();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timer.deadline() - now).count();
        if (left <= 0) {
            if (timer.expire(child, now) == SIGKILL) {
                break;
            }
            continue;
        }
        int rc = ::poll(fds, n, static_cast<int>(std::min<long long>(left, 1000)));
        if (rc < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw SystemError("poll", errno);
        }
        auto drain = [&](int idx, fs::Fd& fd, std::string& sink) {
            if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) {
                return;
            }
            ssize_t got = ::read(fd.get(), buf, sizeof buf);
            if (got > 0) {
                sink.append(buf, static_cast<size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                fd.reset();
            }
        };
        drain(idx_out, out, result.out);
        drain(idx_err, err, result.err);
        if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = ::write(in.get(), input.data() + written, input.size() - written);
            if (w > 0) {
                written += static_cast<size_t>(w);
            }
            if ((w < 0 && errno != EINTR && errno != EAGAIN) || written == input.size()) {
                in.reset();
            }
        }
    }
    in.reset();
    decode_status(child.wait(), result);
    result.timed_out = timer.timed_out();
    return result;
}

}  // namespace flr::process
