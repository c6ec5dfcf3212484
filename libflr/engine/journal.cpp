#include "engine/journal.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <utility>

namespace flr::engine {
namespace {

namespace stdfs = std::filesystem;

constexpr int application_id = 0x666C724A;  // "flrJ": a file SQLite can open is not always a journal
constexpr int schema_version = 1;
constexpr int busy_ms = 60000;  // the pruner holds the lock for one short chunk at most
constexpr int prune_chunk = 500;

constexpr const char* schema = R"(
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    route TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started REAL NOT NULL,
    ended REAL NOT NULL,
    exit_status INTEGER NOT NULL,
    signal INTEGER NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT NOT NULL,
    output TEXT NOT NULL,
    batch TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_done ON jobs(message_id, route) WHERE outcome = 'succeeded';
CREATE INDEX IF NOT EXISTS jobs_ended ON jobs(ended);
)";

// A journal file that cannot be used as one (the reason is SQLite's own words).
class Corrupt : public Error {
public:
    explicit Corrupt(const std::string& why) : Error(why) {}
};

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what) {
    int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    std::string message = fmt::format("journal {}: {}: {}", path, what, why);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        throw Corrupt(message);
    }
    throw Error(message);
}

void exec(sqlite3* db, const std::string& path, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail(db, path, "cannot set it up");
    }
}

// The first column of a one-row query as text ("" without a row).
std::string query_text(sqlite3* db, const std::string& path, const char* sql) {
    Statement s(db, sql);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(s.get(), 0);
        return t ? reinterpret_cast<const char*>(t) : "";
    }
    if (rc != SQLITE_DONE) {
        fail(db, path, "cannot read it");
    }
    return {};
}

// A connection, closed when it goes out of scope.
using Db = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

Db open_db(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Db db(raw, sqlite3_close);
    if (rc != SQLITE_OK) {
        throw Error(fmt::format("journal {}: cannot open it: {}", path, raw ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(raw, busy_ms);
    sqlite3_extended_result_codes(raw, 0);
    return db;
}

// A journal, an empty database (made one), or Corrupt.
void check_identity(sqlite3* db, const std::string& path) {
    std::string id = query_text(db, path, "PRAGMA application_id");
    std::string check = query_text(db, path, "PRAGMA quick_check");
    if (check != "ok") {
        throw Corrupt(fmt::format("journal {}: damaged: {}", path, check));
    }
    if (id == std::to_string(application_id)) {
        return;
    }
    if (id != "0" || query_text(db, path, "SELECT count(*) FROM sqlite_schema") != "0") {
        throw Corrupt(fmt::format("journal {}: not an flr-listen journal", path));
    }
}

// Runs a statement that returns no row, then resets it for the next use.
void run_done(sqlite3* db, const std::string& path, sqlite3_stmt* s, const char* what) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        fail(db, path, what);
    }
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* s, int i) {
    const unsigned char* t = sqlite3_column_text(s, i);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
             : std::string();
}

}  // namespace

Statement::Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
        fail(db, sqlite3_db_filename(db, "main") ? sqlite3_db_filename(db, "main") : "?", "cannot read it");
    }
}

Statement::Statement(Statement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(stmt_);
        stmt_ = std::exchange(o.stmt_, nullptr);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Journal::Journal(const std::string& path, OnCorrupt on_corrupt) : path_(path) {
    stdfs::path dir = stdfs::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !stdfs::is_directory(dir, ec)) {
        throw Error(fmt::format("journal {}: its directory {} does not exist", path, dir.string()));
    }
    try {
        open_checked();
    } catch (const Corrupt& e) {
        if (on_corrupt == OnCorrupt::fail) {
            throw Error(fmt::format("{} (journal.on_corrupt: fresh starts a new one)", e.what()));
        }
        std::string aside = fmt::format("{}.corrupt-{}", path, static_cast<long long>(std::time(nullptr)));
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::rename((path + suffix).c_str(), (aside + suffix).c_str());
        }
        log::warning(fmt::format("{}; moved to {}, starting a new journal", e.what(), aside));
        open_checked();
    }
}

void Journal::open_checked() {
    std::error_code ec;
    bool existed = stdfs::exists(path_, ec);
    db_ = open_db(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE).release();
    if (!existed) {
        ::chmod(path_.c_str(), 0600);  // SQLite gives its -wal and -shm files the same mode
    }
    try {
        set_up();
    } catch (...) {
        finalize();
        sqlite3_close(std::exchange(db_, nullptr));
        throw;
    }
}

void Journal::set_up() {
    check_identity(db_, path_);
    if (query_text(db_, path_, "PRAGMA journal_mode=WAL") != "wal") {
        throw Error(fmt::format("journal {}: cannot switch it to WAL mode", path_));
    }
    // FULL: a commit is on disk when it returns (one fsync of the WAL per commit).
    exec(db_, path_, "PRAGMA synchronous=FULL");
    exec(db_, path_, schema);
    exec(db_, path_,
         fmt::format("PRAGMA application_id={}; PRAGMA user_version={}", application_id, schema_version).c_str());
    insert_ = Statement(db_,
                        "INSERT INTO jobs (message_id, topic, route, attempt, started, ended, exit_status, signal, "
                        "status, outcome, output, batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    done_ = Statement(db_, "SELECT 1 FROM jobs WHERE message_id = ?1 AND route = ?2 AND outcome = 'succeeded' LIMIT 1");
    // IMMEDIATE: the write lock is taken at BEGIN, where a busy lock is waited for.
    begin_ = Statement(db_, "BEGIN IMMEDIATE");
    commit_ = Statement(db_, "COMMIT");
}

void Journal::finalize() {
    for (Statement* s : {&insert_, &done_, &begin_, &commit_}) {
        *s = Statement();
    }
}

Journal::~Journal() {
    stop_pruning();
    try {
        commit();
    } catch (const Error& e) {
        log::error(e.what());
    }
    finalize();
    sqlite3_close(db_);
}

void Journal::begin() {
    if (open_tx_) {
        return;
    }
    run_done(db_, path_, begin_.get(), "cannot write it");
    open_tx_ = true;
}

void Journal::record(const JobRecord& r) {
    begin();
    sqlite3_stmt* s = insert_.get();
    bind_text(s, 1, r.message_id);
    bind_text(s, 2, r.topic);
    bind_text(s, 3, r.route);
    sqlite3_bind_int(s, 4, r.attempt);
    sqlite3_bind_double(s, 5, r.started);
    sqlite3_bind_double(s, 6, r.ended);
    sqlite3_bind_int(s, 7, r.exit_status);
    sqlite3_bind_int(s, 8, r.signal);
    bind_text(s, 9, r.status);
    bind_text(s, 10, r.outcome);
    bind_text(s, 11, r.output);
    bind_text(s, 12, r.batch);
    run_done(db_, path_, s, "cannot write it");
    ++pending_;
}

bool Journal::succeeded(const std::string& message_id, const std::string& route) {
    if (message_id.empty()) {
        return false;
    }
    sqlite3_stmt* s = done_.get();
    bind_text(s, 1, message_id);
    bind_text(s, 2, route);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fail(db_, path_, "cannot read it");
    }
    return rc == SQLITE_ROW;
}

void Journal::commit() {
    if (!open_tx_) {
        return;
    }
    run_done(db_, path_, commit_.get(), "cannot commit");
    open_tx_ = false;
    pending_ = 0;
}

std::size_t Journal::prune(const std::string& path, double cutoff) {
    Db db = open_db(path, SQLITE_OPEN_READWRITE);
    std::size_t total = 0;
    Statement del(db.get(),
                  "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE ended < ?1 ORDER BY ended LIMIT ?2)");
    for (;;) {
        sqlite3_bind_double(del.get(), 1, cutoff);
        sqlite3_bind_int(del.get(), 2, prune_chunk);
        run_done(db.get(), path, del.get(), "cannot prune it");
        auto n = static_cast<std::size_t>(sqlite3_changes(db.get()));
        total += n;
        if (n < static_cast<std::size_t>(prune_chunk)) {
            break;
        }
    }
    return total;
}

void Journal::start_pruning(std::chrono::milliseconds retention, std::chrono::milliseconds every) {
    stop_pruning();
    stopping_ = false;
    pruner_ = std::thread([this, retention, every] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            double cutoff = static_cast<double>(std::time(nullptr)) - std::chrono::duration<double>(retention).count();
            try {
                std::size_t n = prune(path_, cutoff);
                if (n > 0) {
                    log::info(fmt::format("journal: pruned {} job(s) older than the retention", n));
                }
            } catch (const Error& e) {
                log::warning(fmt::format("{}; pruning again later", e.what()));
            }
            lock.lock();
            wake_.wait_for(lock, every, [this] { return stopping_; });
        }
    });
}

void Journal::stop_pruning() {
    if (!pruner_.joinable()) {
        return;
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    pruner_.join();
}

std::vector<JobRecord> Journal::read(const std::string& path, const JournalFilter& f) {
    std::error_code ec;
    if (!stdfs::exists(path, ec)) {
        throw Error(fmt::format("journal {}: no such file (flr-listen has not run with this configuration)", path));
    }
    // Read-write when allowed: a reader of a WAL database may have to set up its index.
    Db db(nullptr, sqlite3_close);
    try {
        db = open_db(path, SQLITE_OPEN_READWRITE);
    } catch (const Error&) {
        db = open_db(path, SQLITE_OPEN_READONLY);
    }
    std::vector<JobRecord> out;
    if (query_text(db.get(), path, "PRAGMA application_id") != std::to_string(application_id)) {
        throw Error(fmt::format("journal {}: not an flr-listen journal", path));
    }
    Statement s(db.get(),
                "SELECT message_id, topic, route, attempt, started, ended, exit_status, signal, status, outcome, "
                "output, batch FROM jobs WHERE ended >= ?1 AND (?2 = '' OR route = ?2) AND (?3 = '' OR "
                "message_id = ?3) AND (?4 = 0 OR outcome IN ('failed', 'dead-lettered')) ORDER BY ended, id");
    sqlite3_bind_double(s.get(), 1, f.since);
    bind_text(s.get(), 2, f.route);
    bind_text(s.get(), 3, f.message_id);
    sqlite3_bind_int(s.get(), 4, f.failed_only ? 1 : 0);
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        JobRecord r;
        r.message_id = column_text(s.get(), 0);
        r.topic = column_text(s.get(), 1);
        r.route = column_text(s.get(), 2);
        r.attempt = sqlite3_column_int(s.get(), 3);
        r.started = sqlite3_column_double(s.get(), 4);
        r.ended = sqlite3_column_double(s.get(), 5);
        r.exit_status = sqlite3_column_int(s.get(), 6);
        r.signal = sqlite3_column_int(s.get(), 7);
        r.status = column_text(s.get(), 8);
        r.outcome = column_text(s.get(), 9);
        r.output = column_text(s.get(), 10);
        r.batch = column_text(s.get(), 11);
        out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) {
        fail(db.get(), path, "cannot read it");
    }
    return out;
}

}  // namespace flr::engine
