// Private: flr-listen's journal, one SQLite database (WAL mode) per instance. It records
// every job run (and every skip) and answers "did this route already succeed for this
// message id?", so that a redelivered or republished message never runs finished work
// again. Rows go into one open transaction; the broker loop commits it just before it
// sends an ack batch, so a message is acked only after its completion is durable, at one
// fsync per batch rather than per message. Old rows are pruned by a background thread
// on its own connection.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace flr::engine {

// One row: a job run, or a job skipped because it had already succeeded.
struct JobRecord {
    std::string message_id;
    std::string topic;
    std::string route;
    int attempt = 1;
    double started = 0;  // Unix time, seconds
    double ended = 0;
    int exit_status = -1;  // -1: did not exit (signal, timeout, not started, skipped)
    int signal = 0;
    std::string status;   // "exit 0", "signal 9", "timed out", "error: ...", "already succeeded"
    std::string outcome;  // succeeded, failed, dead-lettered, skipped
    std::string output;   // the last lines of output
    std::string batch;    // the batch a batched job ran ("" for a single message)
};

namespace outcome {
inline constexpr const char* succeeded = "succeeded";
inline constexpr const char* failed = "failed";
inline constexpr const char* dead_lettered = "dead-lettered";
inline constexpr const char* skipped = "skipped";
}  // namespace outcome

// What `history` selects; empty fields select everything.
struct JournalFilter {
    double since = 0;  // ended at or after (Unix time)
    std::string route;
    std::string message_id;
    bool failed_only = false;  // failed and dead-lettered
};

// Owns one prepared statement.
class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, const char* sql);
    Statement(Statement&& o) noexcept;
    Statement& operator=(Statement&& o) noexcept;
    ~Statement();
    sqlite3_stmt* get() const noexcept { return stmt_; }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

class Journal {
public:
    enum class OnCorrupt { fail, fresh };

    // Opens the journal at `path`, creating it (and nothing above its directory). A
    // file that is not a journal or fails SQLite's quick check is an Error (exit 1),
    // or with OnCorrupt::fresh is moved aside to PATH.corrupt-<time> and replaced.
    Journal(const std::string& path, OnCorrupt on_corrupt);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    const std::string& path() const noexcept { return path_; }
    // Adds a row to the open transaction.
    void record(const JobRecord& r);
    // Whether `route` succeeded for `message_id` (committed or not); never for "".
    bool succeeded(const std::string& message_id, const std::string& route);
    // Rows not yet committed.
    std::size_t pending() const noexcept { return pending_; }
    // Makes the open transaction durable; throws Error (nothing may be acked then).
    void commit();

    // Deletes rows that ended before `cutoff` (Unix time), in short transactions so the
    // loop's commits wait at most one chunk; returns how many went.
    static std::size_t prune(const std::string& path, double cutoff);
    // Runs prune() on a background thread now and then every `every`.
    void start_pruning(std::chrono::milliseconds retention, std::chrono::milliseconds every = std::chrono::hours(1));

    // Rows from a journal another process may be writing, oldest first; throws Error.
    static std::vector<JobRecord> read(const std::string& path, const JournalFilter& filter);

private:
    void open_checked();
    void set_up();
    void finalize();
    void begin();
    void stop_pruning();

    std::string path_;
    sqlite3* db_ = nullptr;
    Statement insert_, done_, begin_, commit_;
    bool open_tx_ = false;
    std::size_t pending_ = 0;

    std::thread pruner_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

}  // namespace flr::engine
