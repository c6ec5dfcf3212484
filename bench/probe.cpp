// listen-bench-probe: the benchmark's action. Takes the time first thing, then finds
// the message's sent_ns (an argument, or inside the vars file after "-e @FILE") and
// appends the publish-to-action-start latency in microseconds to $LISTEN_BENCH_OUT.
// With "--exec PROG ARGS..." it then becomes PROG (a playbook_cmd wrapper).
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long sent_from_file(const char* path) {
    static char buf[1 << 16];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    const char* p = std::strstr(buf, "\"sent_ns\": ");
    return p ? std::atoll(p + 11) : 0;
}

}  // namespace

int main(int argc, char** argv) {
    long long t = now_ns();
    long long sent = 0;
    int exec_at = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--exec") == 0) {
            exec_at = i + 1;
        } else if (std::strcmp(argv[i], "-e") == 0 && i + 1 < argc && argv[i + 1][0] == '@') {
            sent = sent_from_file(argv[i + 1] + 1);
        } else if (!exec_at && sent == 0) {
            sent = std::atoll(argv[i]);
        }
    }
    const char* out = std::getenv("LISTEN_BENCH_OUT");
    if (out && sent > 0) {
        char line[64];
        int len = std::snprintf(line, sizeof line, "%lld\n", (t - sent) / 1000);
        int fd = open(out, O_WRONLY | O_APPEND | O_CREAT, 0600);
        if (fd >= 0) {
            (void)!write(fd, line, static_cast<size_t>(len));
            close(fd);
        }
    }
    if (exec_at && exec_at < argc) {
        execvp(argv[exec_at], argv + exec_at);
        return 127;
    }
    return 0;
}
