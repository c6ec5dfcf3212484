// Replay mode: messages from a dump file (JSON lines or one JSON array) go through the
// same routes and actions as broker traffic; no connection is made.
#include "engine/listener_impl.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace flr::engine {
namespace {

class Replayer {
public:
    explicit Replayer(ConfigPtr cfg) : cfg_(*cfg), session_(cfg, false) {}

    void feed(std::string_view text, const std::string& where) {
        ++session_.counters().received;
        Json record;
        if (auto reason = parse_body(text, cfg_.max_body, record)) {
            session_.count_invalid(where, *reason);
            return;
        }
        feed_record(record, where);
    }

    void feed_record(const Json& record, const std::string& where) {
        Message msg;
        if (auto reason = from_dump(record, msg)) {
            session_.count_invalid(where, *reason);
            return;
        }
        session_.route(++token_, std::move(msg));
        // Keep memory flat on big files: a bounded number of messages in flight.
        while (session_.dispatcher().messages_in_flight() > backlog_limit(cfg_.workers)) {
            step();
        }
    }

    listen::Summary finish(Clock::time_point start) {
        session_.dispatcher().close_batches();  // the file is read: nothing more can join them
        while (session_.dispatcher().messages_in_flight() > 0) {
            step();
        }
        session_.write_metrics(true);
        return session_.summary(std::chrono::duration<double>(Clock::now() - start).count());
    }

    Session& session() { return session_; }

private:
    // Replay acks nothing: finished messages only leave the dispatcher.
    void step() {
        session_.step(-1, 1000);
        session_.dispatcher().take_completions(finished_);
        if (session_.stop_requested()) {
            throw Interrupted();
        }
    }

    const ListenConfig& cfg_;
    Session session_;
    std::uint64_t token_ = 0;
    std::vector<Completion> finished_;
};

constexpr std::size_t max_whole_file = 64 << 20;

// Lines of a file: from `buf` first, then read in chunks from `fd` (-1: none), so big
// replay files stay out of memory.
class LineReader {
public:
    LineReader(std::string buf, int fd) : buf_(std::move(buf)), fd_(fd) {}
    bool next(std::string& line) {
        for (;;) {
            auto nl = buf_.find('\n', pos_);
            if (nl != std::string::npos) {
                line.assign(buf_, pos_, nl - pos_);
                pos_ = nl + 1;
                return true;
            }
            buf_.erase(0, pos_);
            pos_ = 0;
            char chunk[65536];
            ssize_t n = fd_ < 0 ? 0 : ::read(fd_, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                line = std::move(buf_);
                buf_.clear();
                return !line.empty();
            }
            buf_.append(chunk, static_cast<std::size_t>(n));
        }
    }

private:
    std::string buf_;
    int fd_;
    std::size_t pos_ = 0;
};

void feed_lines(Replayer& replayer, LineReader& lines, const std::string& file) {
    std::string line;
    std::size_t number = 0;
    while (lines.next(line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") != std::string::npos) {
            replayer.feed(line, fmt::format("{}:{}", file, number));
        }
    }
}

void feed_array(Replayer& replayer, const std::string& text, const std::string& file) {
    Json array;
    if (auto reason = parse_body("{\"a\":" + text + "}", text.size() + 16, array)) {
        throw UsageError(fmt::format("{}: not a JSON array of messages: {}", file, *reason));
    }
    std::size_t i = 0;
    for (const auto& record : array["a"]) {
        ++replayer.session().counters().received;
        replayer.feed_record(record, fmt::format("{}[{}]", file, i++));
    }
}

}  // namespace

// A JSON array, one (pretty-printed) message, or JSON lines.
listen::Summary replay_file(ConfigPtr cfg, const std::string& file) {
    fs::Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        throw UsageError(fmt::format("{}: cannot read the replay file", file));
    }
    auto start = Clock::now();
    Replayer replayer(cfg);
    if (static_cast<std::size_t>(st.st_size) > max_whole_file) {
        LineReader lines("", fd.get());
        feed_lines(replayer, lines, file);
        return replayer.finish(start);
    }
    std::string text = fs::read_all(fd.get(), file);
    auto p = text.find_first_not_of(" \t\r\n");
    char c = p == std::string::npos ? 0 : text[p];
    if (c == '[') {
        feed_array(replayer, text, file);
    } else if (c == '{' && Json::parse(text, nullptr, false).is_object()) {
        replayer.feed(text, file);
    } else {
        LineReader lines(std::move(text), -1);
        feed_lines(replayer, lines, file);
    }
    return replayer.finish(start);
}

}  // namespace flr::engine
