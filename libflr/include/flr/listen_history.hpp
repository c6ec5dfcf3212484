// flr-listen's history: the jobs its journal recorded (flr-listen(8), "history"),
// read while the listener runs.
#pragma once

#include <flr/config.hpp>
#include <flr/export.hpp>

#include <string>
#include <vector>

namespace flr::listen {

// Which jobs; empty fields select all.
struct HistoryQuery {
    std::string since;  // "2h", "30d" (back from now), "2026-11-30" or "2026-11-30T08:00:00Z"
    std::string route;
    std::string topic;  // an AMQP topic pattern ("org.fedoraproject.*.buildsys.#")
    std::string message_id;
    bool failed = false;  // only failed and dead-lettered jobs
};

struct HistoryEntry {
    std::string message_id;
    std::string topic;
    std::string route;
    int attempt = 0;      // 0 for a skip
    std::string started;  // ISO 8601, UTC
    std::string ended;
    double seconds = 0;
    int exit_status = -1;  // -1: did not exit
    int signal = 0;
    std::string status;   // "exit 0", "signal 9", "timed out", "already succeeded", ...
    std::string outcome;  // succeeded, failed, dead-lettered, skipped
    std::string output;   // the last lines of output
    std::string batch;    // the batch's id ("" for a job of one message)
};

// The journal of the listener configured by `listen_config` (flr-listen.yaml(5),
// journal), oldest first. Throws UsageError (a bad since), ConfigError, or Error (no
// journal, or not a journal).
FLR_EXPORT std::vector<HistoryEntry> history(const Config& listen_config, const HistoryQuery& query);

}  // namespace flr::listen
