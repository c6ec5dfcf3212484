#include "engine/listen_config.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace flr::engine {
namespace {

Condition parse_op(const FieldPath& path, const std::string& op, const Config& arg, const std::string& where) {
    Condition c;
    c.path = path;
    auto scalars = [&] {
        std::vector<std::string> out;
        if (arg.kind() == Config::Kind::scalar) {
            out.push_back(arg.scalar());
        } else if (arg.kind() == Config::Kind::list) {
            for (const auto& v : arg.items()) {
                if (v.kind() != Config::Kind::scalar) {
                    throw ConfigError(fmt::format("{}: expected a list of values", where));
                }
                out.push_back(v.scalar());
            }
        } else {
            throw ConfigError(fmt::format("{}: expected a value or a list of values", where));
        }
        return out;
    };
    if (op == "in" || op == "not") {
        c.op = op == "in" ? Condition::Op::in : Condition::Op::not_in;
        c.values = scalars();
    } else if (op == "regex" || op == "not_regex") {
        if (arg.kind() != Config::Kind::scalar) {
            throw ConfigError(fmt::format("{}: expected a regular expression", where));
        }
        c.op = op == "regex" ? Condition::Op::regex : Condition::Op::not_regex;
        c.regex = compile_regex(arg.scalar(), where);
    } else if (op == "exists") {
        c.op = Condition::Op::exists;
        auto v = arg.kind() == Config::Kind::scalar ? arg.scalar() : "";
        if (v != "true" && v != "false") {
            throw ConfigError(fmt::format("{}: expected true or false", where));
        }
        c.exists = v == "true";
    } else {
        throw ConfigError(fmt::format("{}: unknown test \"{}\" (in, not, regex, not_regex, exists)", where, op));
    }
    return c;
}

std::vector<Condition> parse_when(const Config& route) {
    std::vector<Condition> out;
    Config when = route.node("when");
    if (when.kind() == Config::Kind::null) {
        return out;
    }
    if (when.kind() != Config::Kind::map) {
        throw ConfigError(fmt::format("{}: expected a mapping of field: test", route.where("when")));
    }
    for (const auto& [key, test] : when.entries()) {
        std::string where = route.where("when." + key);
        FieldPath path = FieldPath::parse(key, where);
        if (test.kind() == Config::Kind::map) {
            for (const auto& [op, arg] : test.entries()) {
                out.push_back(parse_op(path, op, arg, where));
            }
        } else {
            out.push_back(parse_op(path, "in", test, where));
        }
    }
    return out;
}

AnsibleSettings parse_ansible(const Config& section, AnsibleSettings base) {
    section.check_keys({"playbook_cmd", "cfg", "inventory", "limit"});
    if (section.has("playbook_cmd")) {
        base.playbook_cmd = split_command(section.strings("playbook_cmd"));
        if (base.playbook_cmd.empty()) {
            throw ConfigError(fmt::format("{}: empty command", section.where("playbook_cmd")));
        }
    }
    if (auto v = section.string("cfg")) {
        base.cfg = resolve_path(section, *v);
    }
    if (auto v = section.string("inventory")) {
        base.inventory = resolve_path(section, *v);
    }
    if (auto v = section.string("limit")) {
        base.limit = *v;
    }
    return base;
}

void parse_action(const Config& rc, Route& r) {
    bool has_playbook = rc.has("playbook");
    bool has_command = rc.has("command");
    if (has_playbook == has_command) {
        throw ConfigError(fmt::format("{}: a route needs exactly one of playbook or command", rc.where()));
    }
    r.is_playbook = has_playbook;
    if (has_playbook) {
        r.playbook = Template::parse(resolve_path(rc, rc.required_string("playbook")), rc.where("playbook"));
        return;
    }
    auto argv = rc.strings("command");
    if (argv.empty()) {
        throw ConfigError(fmt::format("{}: empty command", rc.where("command")));
    }
    if (argv[0].find('/') != std::string::npos) {
        argv[0] = resolve_path(rc, argv[0]);
    }
    for (std::size_t i = 0; i < argv.size(); ++i) {
        r.command.push_back(Template::parse(argv[i], rc.where(fmt::format("command[{}]", i))));
    }
}

void parse_retry(const Config& c, Route& r) {
    if (auto t = c.string("retry_delay")) {
        r.retry_delay = parse_duration(*t, c.where("retry_delay"));
    }
    if (auto t = c.string("retry_delay_max")) {
        r.retry_delay_max = parse_duration(*t, c.where("retry_delay_max"));
    }
    if (r.retry_delay_max < r.retry_delay) {
        throw ConfigError(fmt::format("{}: shorter than retry_delay", c.where("retry_delay_max")));
    }
}

// batch: {max, window, key}.
BatchSettings parse_batch(const Config& b) {
    if (b.kind() != Config::Kind::map) {
        throw ConfigError(fmt::format("{}: expected a mapping {{max: N, window: T, key: TEMPLATE}}", b.where()));
    }
    b.check_keys({"max", "window", "key"});
    BatchSettings s;
    s.where = b.where();
    long long max = b.integer_or("max", 100);
    if (max < 1 || max > 65535) {
        throw ConfigError(fmt::format("{}: must be between 1 and 65535", b.where("max")));
    }
    s.max = static_cast<std::size_t>(max);
    if (auto t = b.string("window")) {
        s.window = parse_duration(*t, b.where("window"));
    }
    if (auto k = b.string("key")) {
        s.key = Template::parse(*k, b.where("key"));
    }
    return s;
}

Route parse_route(const Config& rc, const AnsibleSettings& ansible, const Route& defaults) {
    rc.check_keys({"name", "topic", "when", "playbook", "command", "timeout", "max_attempts", "ordering_key", "ansible",
                   "retry_delay", "retry_delay_max", "batch"});
    Route r;
    r.retry_delay = defaults.retry_delay;
    r.retry_delay_max = defaults.retry_delay_max;
    parse_retry(rc, r);
    r.name = rc.required_string("name");
    for (const auto& t : rc.strings("topic")) {
        r.topics.emplace_back(t);
    }
    if (r.topics.empty()) {
        throw ConfigError(fmt::format("{}: required setting is missing", rc.where("topic")));
    }
    r.when = parse_when(rc);
    parse_action(rc, r);
    r.ansible = parse_ansible(rc.section("ansible"), ansible);
    if (auto t = rc.string("timeout")) {
        r.timeout = parse_duration(*t, rc.where("timeout"));
    }
    r.max_attempts = static_cast<int>(rc.integer_or("max_attempts", 3));
    if (r.max_attempts < 1 || r.max_attempts > 100) {
        throw ConfigError(fmt::format("{}: must be between 1 and 100", rc.where("max_attempts")));
    }
    if (auto k = rc.string("ordering_key")) {
        r.ordering_key = Template::parse(*k, rc.where("ordering_key"));
    }
    if (rc.has("batch")) {
        r.batch = parse_batch(rc.node("batch"));
        if (r.ordering_key) {
            throw ConfigError(fmt::format("{}: a batched route cannot have an ordering_key (use batch.key)",
                                          rc.where("ordering_key")));
        }
    }
    return r;
}

void parse_dead_letters(const Config& a, AmqpSettings& s) {
    // With passive declares nothing is declared: dead letters only where operators say so.
    s.dead_letter_exchange = a.string_or("dead_letter_exchange", s.passive_declares ? "" : "flr.dead");
    s.dead_letter_queue = a.string_or("dead_letter_queue", s.queue + ".dead");
    s.delivery_limit = static_cast<int>(a.integer_or("delivery_limit", 20));
    if (s.delivery_limit < 1) {
        throw ConfigError(fmt::format("{}: must be at least 1", a.where("delivery_limit")));
    }
    if (auto t = a.string("reconnect_delay")) {
        s.reconnect_delay = parse_duration(*t, a.where("reconnect_delay"));
    }
    if (auto t = a.string("reconnect_delay_max")) {
        s.reconnect_delay_max = parse_duration(*t, a.where("reconnect_delay_max"));
    }
}

void parse_metrics(const Config& m, MetricsSettings& s) {
    m.check_keys({"textfile", "interval"});
    if (auto p = m.string("textfile")) {
        s.textfile = resolve_path(m, *p);
    }
    if (auto t = m.string("interval")) {
        s.interval = parse_duration(*t, m.where("interval"));
    }
}

// journal: {path, retention, on_corrupt}; the default path is per instance:
// $FLR_LISTEN_INSTANCE (set by flr-listen@.service), else the configuration file's name.
void parse_journal(const Config& config, JournalSettings& s) {
    Config j = config.section("journal");
    j.check_keys({"path", "retention", "on_corrupt"});
    if (auto p = j.string("path")) {
        s.path = resolve_path(j, *p);
    } else {
        const char* instance = std::getenv("FLR_LISTEN_INSTANCE");
        std::string name = instance && *instance ? instance : std::filesystem::path(config.source()).stem().string();
        const char* state = std::getenv("STATE_DIRECTORY");  // systemd's StateDirectory=
        std::string dir = state && *state ? std::string(state).substr(0, std::string(state).find(':'))
                                          : std::string("/var/lib/flr/listen");
        s.path = fmt::format("{}/{}.db", dir, name.empty() ? "flr-listen" : name);
    }
    if (auto t = j.string("retention")) {
        s.retention = parse_duration(*t, j.where("retention"));
    }
    std::string on = j.string_or("on_corrupt", "fail");
    if (on != "fail" && on != "fresh") {
        throw ConfigError(fmt::format("{}: expected fail or fresh", j.where("on_corrupt")));
    }
    s.fresh_on_corrupt = on == "fresh";
}

// Every message of a batch stays unacked until the batch's job succeeds: the prefetch
// window must hold a full batch, or the batch could only ever close on its window.
void check_batches_fit(const ListenConfig& cfg) {
    for (const auto& r : cfg.routes) {
        if (r.batch && r.batch->max > static_cast<std::size_t>(cfg.amqp.prefetch)) {
            throw ConfigError(fmt::format("{}.max: {} messages do not fit in amqp.prefetch ({}); raise the prefetch",
                                          r.batch->where, r.batch->max, cfg.amqp.prefetch));
        }
    }
}

// url: one node, or the nodes of a cluster (a list, tried in turn).
void parse_urls(const Config& a, AmqpSettings& s) {
    std::vector<std::string> urls = a.strings("url");
    if (urls.empty()) {
        throw ConfigError(fmt::format("{}: required setting is missing", a.where("url")));
    }
    s.url = urls.front();
    s.more_urls.assign(urls.begin() + 1, urls.end());
}

void parse_shards(const Config& c, ShardSettings& s) {
    c.check_keys({"count", "hash_header"});
    s.count = static_cast<int>(c.integer_or("count", 0));
    if (s.count < 1 || s.count > 1000) {
        throw ConfigError(fmt::format("{}: must be between 1 and 1000", c.where("count")));
    }
    s.hash_header = c.string_or("hash_header", "");
}

void parse_amqp(const Config& a, AmqpSettings& s) {
    a.check_keys({"url", "password_file", "queue", "queue_type", "durable", "exchange", "bindings", "prefetch",
                  "passive_declares", "heartbeat", "tls", "dead_letter_exchange", "dead_letter_queue", "delivery_limit",
                  "reconnect_delay", "reconnect_delay_max", "shards"});
    parse_urls(a, s);
    if (auto p = a.string("password_file")) {
        s.password_file = resolve_path(a, *p);
    }
    s.queue = a.required_string("queue");
    s.queue_type = a.string_or("queue_type", "quorum");
    if (s.queue_type != "classic" && s.queue_type != "quorum") {
        throw ConfigError(fmt::format("{}: expected classic or quorum", a.where("queue_type")));
    }
    s.durable = a.boolean_or("durable", true);
    if (!s.durable && s.queue_type == "quorum") {
        throw ConfigError(
            fmt::format("{}: quorum queues are always durable (set queue_type: classic)", a.where("durable")));
    }
    s.exchange = a.string_or("exchange", "amq.topic");
    s.bindings = a.strings("bindings");
    s.prefetch = static_cast<int>(a.integer_or("prefetch", 50));
    if (s.prefetch < 1 || s.prefetch > 65535) {
        throw ConfigError(fmt::format("{}: must be between 1 and 65535", a.where("prefetch")));
    }
    s.passive_declares = a.boolean_or("passive_declares", false);
    s.heartbeat = static_cast<int>(a.integer_or("heartbeat", 30));
    if (s.heartbeat < 0 || s.heartbeat > 3600) {
        throw ConfigError(fmt::format("{}: must be between 0 and 3600 seconds", a.where("heartbeat")));
    }
    Config tls = a.section("tls");
    tls.check_keys({"ca", "cert", "key"});
    if (auto v = tls.string("ca"))
        s.tls_ca = resolve_path(tls, *v);
    if (auto v = tls.string("cert"))
        s.tls_cert = resolve_path(tls, *v);
    if (auto v = tls.string("key"))
        s.tls_key = resolve_path(tls, *v);
    if (s.tls_cert.empty() != s.tls_key.empty()) {
        throw ConfigError(fmt::format("{}: cert and key go together", a.where("tls")));
    }
    // A client certificate and no password: the certificate names the user (SASL
    // EXTERNAL), as on Fedora's broker.
    s.external_auth = s.password_file.empty() && !s.tls_cert.empty();
    parse_dead_letters(a, s);
    if (a.has("shards")) {
        parse_shards(a.section("shards"), s.shards);
    }
}

}  // namespace

std::vector<std::string> consumed_queues(const AmqpSettings& a) {
    if (a.shards.count == 0) {
        return {a.queue};
    }
    std::vector<std::string> out;
    for (int i = 0; i < a.shards.count; ++i) {
        out.push_back(fmt::format("{}.shard.{}", a.queue, i));
    }
    return out;
}

std::string shard_exchange(const AmqpSettings& a) {
    return a.queue + ".hash";
}

std::vector<std::string> split_command(const std::vector<std::string>& words) {
    if (words.size() != 1) {
        return words;
    }
    std::vector<std::string> out;
    std::string cur;
    for (char c : words[0]) {
        if (c == ' ' || c == '\t') {
            if (!cur.empty())
                out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty())
        out.push_back(std::move(cur));
    return out;
}

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& where) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    std::string unit(end, text.data() + text.size());
    long long scale = unit.empty() || unit == "s" ? 1000
                      : unit == "ms"              ? 1
                      : unit == "m"               ? 60000
                      : unit == "h"               ? 3600000
                      : unit == "d"               ? 86400000
                                                  : -1;
    if (ec != std::errc() || value <= 0 || scale < 0 || value > 1000LL * 86400 * 365) {
        throw ConfigError(
            fmt::format("{}: expected a positive duration like 90, 90s, 15m or 2h, got \"{}\"", where, text));
    }
    return std::chrono::milliseconds(value * scale);
}

std::string resolve_path(const Config& config, const std::string& path) {
    namespace stdfs = std::filesystem;
    if (path.empty() || path[0] == '/' || config.source().empty()) {
        return path;
    }
    stdfs::path dir = stdfs::path(config.source()).parent_path();
    return dir.empty() ? path : (dir / path).string();
}

void derive_bindings(ListenConfig& cfg) {
    if (!cfg.amqp.bindings.empty()) {
        return;
    }
    std::set<std::string> seen;
    for (const auto& r : cfg.routes) {
        for (const auto& t : r.topics) {
            if (seen.insert(t.text()).second) {
                cfg.amqp.bindings.push_back(t.text());
            }
        }
    }
}

ListenConfig load_listen_config(const Config& config) {
    if (is_loopabull(config)) {
        ListenConfig cfg = map_loopabull(config);
        parse_journal(config, cfg.journal);
        return cfg;
    }
    config.check_keys({"routes", "ansible", "amqp", "workers", "max_body_size", "kill_grace", "env_allow", "work_dir",
                       "retry_delay", "retry_delay_max", "drain_timeout", "metrics", "journal"});
    ListenConfig cfg;
    AnsibleSettings ansible = parse_ansible(config.section("ansible"), AnsibleSettings{});
    Route defaults;
    parse_retry(config, defaults);
    std::set<std::string> names;
    for (const auto& rc : config.list("routes")) {
        Route r = parse_route(rc, ansible, defaults);
        if (!names.insert(r.name).second) {
            throw ConfigError(fmt::format("{}: duplicate route name \"{}\"", rc.where("name"), r.name));
        }
        cfg.routes.push_back(std::move(r));
    }
    if (cfg.routes.empty()) {
        throw ConfigError(fmt::format("{}: no routes configured", config.where("routes")));
    }
    cfg.workers = static_cast<std::size_t>(std::clamp<long long>(config.integer_or("workers", 4), 1, 1024));
    long long max_body = config.integer_or("max_body_size", static_cast<long long>(default_max_body));
    if (max_body < 2) {
        throw ConfigError(fmt::format("{}: too small", config.where("max_body_size")));
    }
    cfg.max_body = static_cast<std::size_t>(max_body);
    if (auto g = config.string("kill_grace")) {
        cfg.kill_grace = parse_duration(*g, config.where("kill_grace"));
    }
    if (auto g = config.string("drain_timeout")) {
        cfg.drain_timeout = parse_duration(*g, config.where("drain_timeout"));
    }
    parse_metrics(config.section("metrics"), cfg.metrics);
    parse_journal(config, cfg.journal);
    cfg.env_allow = config.strings("env_allow");
    cfg.work_dir = config.string_or("work_dir", "");
    if (config.has("amqp")) {
        cfg.has_amqp = true;
        parse_amqp(config.section("amqp"), cfg.amqp);
        derive_bindings(cfg);
        check_batches_fit(cfg);
    }
    return cfg;
}

}  // namespace flr::engine
