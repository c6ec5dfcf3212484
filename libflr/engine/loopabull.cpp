// The loopabull compatibility mapping: a loopabull YAML config becomes routes with the
// same playbooks, run with the same `msg` variable, on the same queue and bindings.
#include "core/text.hpp"
#include "engine/listen_config.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace flr::engine {
namespace {

// rkname: <dir>/<topic>.yml; rkdirectory: <dir>/<topic with dots as slashes>.yml
std::string translate(const std::string& translator, const std::string& dir, const std::string& topic) {
    std::string name = topic;
    if (translator == "rkdirectory") {
        std::replace(name.begin(), name.end(), '.', '/');
    }
    return dir + "/" + name + ".yml";
}

void map_looper(const Config& looper, ListenConfig& cfg) {
    std::string name = looper.string_or("name", "");
    if (name != "fedmsgrabbitmq") {
        throw ConfigError(
            fmt::format("{}: only the fedmsgrabbitmq looper is supported, not \"{}\"", looper.where("name"), name));
    }
    Config rabbit = looper.section("rabbitmq");
    Config tls = looper.section("tls");
    Config creds = looper.section("credentials");
    bool use_tls = tls.has("ca_cert");
    AmqpSettings& a = cfg.amqp;
    std::string user = creds.string_or("username", "guest");
    if (creds.has("password")) {
        throw ConfigError(
            fmt::format("{}: inline passwords are not accepted; put it in a file readable only by "
                        "its owner and set credentials.password_file",
                        creds.where("password")));
    }
    if (auto p = creds.string("password_file")) {
        a.password_file = resolve_path(creds, *p);
    }
    long long port = rabbit.integer_or("port", use_tls ? 5671 : 5672);
    a.url = fmt::format("{}://{}@{}:{}/{}", use_tls ? "amqps" : "amqp", text::percent_encode(user),
                        rabbit.string_or("host", "localhost"), port,
                        text::percent_encode(rabbit.string_or("virtual_host", "/")));
    if (use_tls) {
        a.tls_ca = resolve_path(tls, tls.required_string("ca_cert"));
        a.tls_cert = resolve_path(tls, tls.string_or("certfile", ""));
        a.tls_key = resolve_path(tls, tls.string_or("keyfile", ""));
        a.external_auth = a.password_file.empty() && !a.tls_cert.empty();
    }
    Config queue = looper.section("channel_queue");
    a.queue = queue.required_string("name");
    a.durable = queue.boolean_or("durable", false);
    a.exclusive = queue.boolean_or("exclusive", true);
    a.auto_delete = queue.boolean_or("auto_delete", true);
    a.exchange = looper.string_or("exchange.name", "amq.topic");
    a.bindings = looper.strings("routing_keys");
    a.prefetch = 10;
    a.dead_letter_queue = a.queue + ".dead";
    cfg.has_amqp = true;
}

std::string escape_braces(const std::string& s) {
    std::string out;
    for (char c : s) {
        out.push_back(c);
        if (c == '{' || c == '}') {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

bool is_loopabull(const Config& config) {
    return !config.has("routes") && (config.has("routing_keys") || config.has("plugins") || config.has("plugin"));
}

ListenConfig map_loopabull(const Config& config) {
    config.check_keys({"loglevel", "ansible", "routing_keys", "plugins", "plugin", "path_translator", "workers"});
    ListenConfig cfg;
    cfg.from_loopabull = true;
    Config ans = config.section("ansible");
    ans.check_keys({"playbooks_dir", "cfg_file_path", "playbook_cmd", "inventory_path", "modules_dir"});
    std::string dir = resolve_path(ans, ans.required_string("playbooks_dir"));
    AnsibleSettings settings;
    if (ans.has("playbook_cmd")) {
        settings.playbook_cmd = split_command(ans.strings("playbook_cmd"));
    }
    settings.cfg = resolve_path(ans, ans.string_or("cfg_file_path", ""));
    settings.inventory = resolve_path(ans, ans.string_or("inventory_path", ""));
    std::string translator = config.string_or("plugins.translator.name", config.string_or("path_translator", "rkname"));
    if (translator != "rkname" && translator != "rkdirectory") {
        throw ConfigError(fmt::format("{}: unknown translator \"{}\" (rkname or rkdirectory)",
                                      config.where("plugins.translator.name"), translator));
    }
    auto keys = config.strings("routing_keys");
    if (keys.empty()) {
        throw ConfigError(fmt::format("{}: required setting is missing", config.where("routing_keys")));
    }
    bool all = keys.size() == 1 && keys[0] == "all";
    for (const auto& key : all ? std::vector<std::string>{"#"} : keys) {
        Route r;
        r.name = all ? "all" : key;
        r.topics.emplace_back(key);
        r.is_playbook = true;
        // With "all" the playbook follows the topic of each message.
        std::string path = all ? escape_braces(dir) + (translator == "rkname" ? "/{topic}.yml" : "/{topic_path}.yml")
                               : escape_braces(translate(translator, dir, key));
        r.playbook = Template::parse(path, config.where("routing_keys"));
        r.ansible = settings;
        cfg.routes.push_back(std::move(r));
    }
    cfg.workers = static_cast<std::size_t>(std::clamp<long long>(config.integer_or("workers", 1), 1, 1024));
    if (auto plugin = config.string("plugin"); plugin && !config.has("plugins.looper")) {
        cfg.no_amqp_reason = fmt::format(
            "{}: the loopabull plugin \"{}\" is not supported in broker mode; use "
            "plugins.looper with name: fedmsgrabbitmq",
            config.where("plugin"), *plugin);
    }
    if (config.has("plugins.looper")) {
        map_looper(config.section("plugins.looper"), cfg);
        if (cfg.amqp.bindings.empty()) {
            derive_bindings(cfg);
        }
    }
    return cfg;
}

}  // namespace flr::engine
