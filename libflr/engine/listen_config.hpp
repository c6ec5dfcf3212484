// Private: the flr-listen configuration (flr-listen.yaml(5)) and its loopabull
// compatibility mapping, parsed into routes and settings.
#pragma once

#include "engine/route.hpp"

#include <flr/config.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace flr::engine {

// Ordering across instances: a consistent-hash exchange spreads the bound topics over
// `count` single-active-consumer queues <queue>.shard.<i>, so each hash value has one
// consumer at a time, whichever instance that is (flr-listen.yaml(5), SHARDS).
struct ShardSettings {
    int count = 0;            // 0 = no shards: one plain work queue
    std::string hash_header;  // hash this header's value; "" = the routing key (topic)
};

struct AmqpSettings {
    std::string url;                     // amqp[s]://user@host:port/vhost
    std::vector<std::string> more_urls;  // further nodes of the cluster, tried after url
    std::string password_file;           // empty: no password (guest or EXTERNAL)
    bool external_auth = false;          // SASL EXTERNAL with the client certificate
    std::string queue;
    std::string queue_type = "classic";
    bool durable = true;
    bool exclusive = false;
    bool auto_delete = false;
    std::string exchange = "amq.topic";
    std::vector<std::string> bindings;  // default: the routes' topics, each once
    int prefetch = 50;
    bool passive_declares = false;
    int heartbeat = 30;  // seconds
    std::string tls_ca, tls_cert, tls_key;
    std::string dead_letter_exchange = "flr.dead";  // direct; "" = no dead-lettering
    std::string dead_letter_queue;                  // default <queue>.dead
    int delivery_limit = 20;                        // quorum queues: x-delivery-limit
    std::chrono::milliseconds reconnect_delay = std::chrono::seconds(1);
    std::chrono::milliseconds reconnect_delay_max = std::chrono::seconds(60);
    ShardSettings shards;
};

// The queues flr-listen consumes: the work queue, or its shards.
std::vector<std::string> consumed_queues(const AmqpSettings& a);
// The consistent-hash exchange in front of the shards: <queue>.hash.
std::string shard_exchange(const AmqpSettings& a);

struct MetricsSettings {
    std::string textfile;  // "" = none
    std::chrono::milliseconds interval = std::chrono::seconds(15);
};

// The journal (engine/journal.hpp); read at start, not on SIGHUP.
struct JournalSettings {
    std::string path;  // default: $STATE_DIRECTORY or /var/lib/flr/listen, then <instance>.db
    std::chrono::milliseconds retention = std::chrono::hours(24 * 30);
    bool fresh_on_corrupt = false;  // on_corrupt: fresh
};

struct ListenConfig {
    std::vector<Route> routes;
    bool has_amqp = false;
    AmqpSettings amqp;
    std::size_t workers = 4;
    std::size_t max_body = default_max_body;
    std::chrono::milliseconds kill_grace = std::chrono::seconds(10);
    std::chrono::milliseconds drain_timeout = std::chrono::hours(1);  // SIGTERM grace period
    MetricsSettings metrics;
    std::vector<std::string> env_allow;
    std::string work_dir;  // where private vars directories go; "" = $RUNTIME_DIRECTORY or $TMPDIR
    bool from_loopabull = false;
    std::string no_amqp_reason;  // why broker mode cannot run ("" = no amqp section)
    JournalSettings journal;
};

// Parse either format; throws ConfigError naming the file and key.
ListenConfig load_listen_config(const Config& config);

// The loopabull format is recognised by its top-level keys.
bool is_loopabull(const Config& config);
ListenConfig map_loopabull(const Config& config);

// Helpers shared by both parsers.
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& where);
std::string resolve_path(const Config& config, const std::string& path);
void derive_bindings(ListenConfig& cfg);
std::vector<std::string> split_command(const std::vector<std::string>& words);

}  // namespace flr::engine
