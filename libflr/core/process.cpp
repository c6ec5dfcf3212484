#include "core/process.hpp"

#include <flr/error.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
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

// RAII wrappers so every early throw releases the spawn objects.
struct FileActions {
    posix_spawn_file_actions_t fa{};
    FileActions() { posix_spawn_file_actions_init(&fa); }
    ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
};
struct Attr {
    posix_spawnattr_t attr{};
    Attr() { posix_spawnattr_init(&attr); }
    ~Attr() { posix_spawnattr_destroy(&attr); }
};

void check(int rc, const char* what) {
    if (rc != 0) {
        throw SystemError(what, rc);
    }
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
        throw Error("cannot run an empty command");
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

    FileActions fa;
    if (spec.stdin_data) {
        check(posix_spawn_file_actions_adddup2(&fa.fa, in.read.get(), STDIN_FILENO), "spawn stdin");
    } else {
        check(posix_spawn_file_actions_addopen(&fa.fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0), "spawn stdin");
    }
    check(posix_spawn_file_actions_adddup2(&fa.fa, out.write.get(), STDOUT_FILENO), "spawn stdout");
    check(
        posix_spawn_file_actions_adddup2(&fa.fa, spec.merge_stderr ? out.write.get() : err.write.get(), STDERR_FILENO),
        "spawn stderr");
    check(posix_spawn_file_actions_addclosefrom_np(&fa.fa, 3), "spawn closefrom");
    if (!spec.cwd.empty()) {
        check(posix_spawn_file_actions_addchdir_np(&fa.fa, spec.cwd.c_str()), "spawn chdir");
    }

    Attr attr;
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    check(posix_spawnattr_setsigmask(&attr.attr, &empty), "spawn sigmask");
    check(posix_spawnattr_setsigdefault(&attr.attr, &all), "spawn sigdefault");
    check(posix_spawnattr_setpgroup(&attr.attr, 0), "spawn pgroup");
    check(posix_spawnattr_setflags(&attr.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP),
          "spawn flags");

    pid_t pid = -1;
    int rc = posix_spawn(&pid, exe->c_str(), &fa.fa, &attr.attr, cargv.data(), cenvp.data());
    if (rc != 0) {
        throw cannot_start(rc);
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
