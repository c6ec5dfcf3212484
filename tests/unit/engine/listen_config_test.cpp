#include "engine/listen_config.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

namespace flr::engine {
namespace {

ListenConfig parse(const std::string& yaml) {
    return load_listen_config(Config::parse(yaml, "/etc/flr/listen.yaml"));
}

std::string config_error(const std::string& yaml) {
    try {
        parse(yaml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(ListenConfig, DefaultsAndDerivedBindings) {
    auto cfg = parse(R"(
routes:
  - {name: a, topic: [x.y, x.z], playbook: pb/a.yml}
  - {name: b, topic: x.y, command: [/bin/true], timeout: 90, max_attempts: 5, ordering_key: "{body.name}"}
amqp: {url: "amqp://u@h/%2Fv", queue: q, password_file: pw}
)");
    ASSERT_EQ(cfg.routes.size(), 2u);
    EXPECT_EQ(cfg.workers, 4u);
    EXPECT_EQ(cfg.max_body, 10u * 1024 * 1024);
    EXPECT_EQ(cfg.routes[0].timeout, std::chrono::hours(1));
    EXPECT_EQ(cfg.routes[0].max_attempts, 3);
    EXPECT_EQ(cfg.routes[0].playbook.text(), "/etc/flr/pb/a.yml");
    EXPECT_EQ(cfg.routes[0].ansible.playbook_cmd, std::vector<std::string>{"ansible-playbook"});
    EXPECT_EQ(cfg.routes[1].timeout, std::chrono::seconds(90));
    EXPECT_EQ(cfg.routes[1].max_attempts, 5);
    EXPECT_TRUE(cfg.routes[1].ordering_key.has_value());
    EXPECT_EQ(cfg.amqp.bindings, (std::vector<std::string>{"x.y", "x.z"}));  // each topic once
    EXPECT_EQ(cfg.amqp.password_file, "/etc/flr/pw");
    EXPECT_EQ(cfg.amqp.prefetch, 50);
    EXPECT_EQ(cfg.amqp.queue_type, "quorum");  // the default for work queues
    EXPECT_FALSE(cfg.amqp.passive_declares);
}

TEST(ListenConfig, AClientCertificateWithoutAPasswordIsSaslExternal) {
    const char* routes = "routes: [{name: a, topic: x, command: [/bin/true]}]\n";
    auto cert = parse(std::string(routes) +
                      "amqp: {url: \"amqps://releng@h/%2F\", queue: q, "
                      "tls: {ca: ca.pem, cert: c.pem, key: c.key}}");
    EXPECT_TRUE(cert.amqp.external_auth);
    auto both = parse(std::string(routes) +
                      "amqp: {url: \"amqps://releng@h/%2F\", queue: q, password_file: pw, "
                      "tls: {ca: ca.pem, cert: c.pem, key: c.key}}");
    EXPECT_FALSE(both.amqp.external_auth);  // a password: PLAIN, the certificate only for TLS
    auto none = parse(std::string(routes) + "amqp: {url: \"amqps://releng@h/%2F\", queue: q, tls: {ca: ca.pem}}");
    EXPECT_FALSE(none.amqp.external_auth);
}

TEST(ListenConfig, GlobalAndPerRouteAnsible) {
    auto cfg = parse(R"(
ansible: {playbook_cmd: "/usr/bin/ansible-playbook -v", cfg: /etc/a.cfg, inventory: inv, limit: all}
workers: 8
routes:
  - {name: a, topic: t, playbook: /p.yml}
  - {name: b, topic: t, playbook: /p.yml, ansible: {limit: one, inventory: /other}}
)");
    EXPECT_EQ(cfg.workers, 8u);
    const auto& a = cfg.routes[0].ansible;
    EXPECT_EQ(a.playbook_cmd, (std::vector<std::string>{"/usr/bin/ansible-playbook", "-v"}));
    EXPECT_EQ(a.cfg, "/etc/a.cfg");
    EXPECT_EQ(a.inventory, "/etc/flr/inv");
    EXPECT_EQ(cfg.routes[1].ansible.limit, "one");
    EXPECT_EQ(cfg.routes[1].ansible.inventory, "/other");
    EXPECT_EQ(cfg.routes[1].ansible.cfg, "/etc/a.cfg");
}

TEST(ListenConfig, Durations) {
    EXPECT_EQ(parse_duration("90", "w"), std::chrono::seconds(90));
    EXPECT_EQ(parse_duration("15m", "w"), std::chrono::minutes(15));
    EXPECT_EQ(parse_duration("2h", "w"), std::chrono::hours(2));
    EXPECT_EQ(parse_duration("250ms", "w"), std::chrono::milliseconds(250));
    EXPECT_THROW(parse_duration("0", "w"), ConfigError);
    EXPECT_THROW(parse_duration("5 weeks", "w"), ConfigError);
}

TEST(ListenConfig, Errors) {
    EXPECT_NE(config_error("routes: []").find("no routes"), std::string::npos);
    EXPECT_NE(config_error("routes: [{name: a, topic: t}]").find("exactly one of"), std::string::npos);
    EXPECT_NE(config_error("routes: [{name: a, topic: t, command: [x], playbook: y}]").find("exactly one"),
              std::string::npos);
    EXPECT_NE(config_error("routes: [{name: a, command: [x]}]").find("routes[0].topic"), std::string::npos);
    EXPECT_NE(config_error("routes: [{name: a, topic: t, command: [x]}, {name: a, topic: t, command: [x]}]")
                  .find("duplicate route name"),
              std::string::npos);
    EXPECT_NE(config_error("routes: [{name: a, topic: t, command: [x], max_attempts: 0}]").find("between 1"),
              std::string::npos);
    EXPECT_NE(
        config_error("routes: [{name: a, topic: t, command: [x], when: {body.a: {like: 1}}}]").find("unknown test"),
        std::string::npos);
    EXPECT_NE(config_error("colour: red\nroutes: [{name: a, topic: t, command: [x]}]").find("colour: unknown"),
              std::string::npos);
    EXPECT_NE(config_error("routes: [{name: a, topic: t, command: [x]}]\namqp: {url: u, queue: q, queue_type: x}")
                  .find("classic or quorum"),
              std::string::npos);
}

TEST(ListenConfig, LoopabullRabbitmqConfigMapsToRoutes) {
    auto cfg = parse(R"(
loglevel: info
ansible:
  playbooks_dir: playbooks
  cfg_file_path: /etc/loopabull/ansible.cfg
  playbook_cmd: /usr/bin/ansible-playbook
routing_keys:
  - org.fedoraproject.prod.buildsys.build.state.change
  - org.fedoraproject.prod.buildsys.tag
plugins:
  looper:
    name: fedmsgrabbitmq
    credentials: {username: fedora}
    tls: {ca_cert: /etc/fm/ca.pem, keyfile: /etc/fm/key.pem, certfile: /etc/fm/cert.pem}
    rabbitmq: {host: rabbitmq.fedoraproject.org, virtual_host: /public_pubsub}
    routing_keys: [org.fedoraproject.prod.buildsys.#]
    exchange: {name: amq.topic}
    channel_queue: {name: 00000000-0000-0000-0000-000000000000, durable: false, auto_delete: true, exclusive: true}
  translator:
    name: rkname
)");
    EXPECT_TRUE(cfg.from_loopabull);
    ASSERT_EQ(cfg.routes.size(), 2u);
    EXPECT_EQ(cfg.routes[0].name, "org.fedoraproject.prod.buildsys.build.state.change");
    EXPECT_TRUE(cfg.routes[0].is_playbook);
    EXPECT_EQ(cfg.routes[0].playbook.text(),
              "/etc/flr/playbooks/org.fedoraproject.prod.buildsys.build.state.change.yml");
    EXPECT_EQ(cfg.routes[0].ansible.cfg, "/etc/loopabull/ansible.cfg");
    EXPECT_EQ(cfg.workers, 1u);
    ASSERT_TRUE(cfg.has_amqp);
    EXPECT_EQ(cfg.amqp.url, "amqps://fedora@rabbitmq.fedoraproject.org:5671/%2Fpublic_pubsub");
    EXPECT_TRUE(cfg.amqp.external_auth);
    EXPECT_EQ(cfg.amqp.tls_ca, "/etc/fm/ca.pem");
    EXPECT_EQ(cfg.amqp.tls_cert, "/etc/fm/cert.pem");
    EXPECT_EQ(cfg.amqp.queue, "00000000-0000-0000-0000-000000000000");
    EXPECT_FALSE(cfg.amqp.durable);
    EXPECT_TRUE(cfg.amqp.auto_delete);
    EXPECT_EQ(cfg.amqp.bindings, std::vector<std::string>{"org.fedoraproject.prod.buildsys.#"});
}

TEST(ListenConfig, LoopabullRkdirectoryAndAll) {
    auto cfg = parse(R"(
ansible: {playbooks_dir: /srv/pb}
routing_keys: [all]
path_translator: rkdirectory
)");
    ASSERT_EQ(cfg.routes.size(), 1u);
    EXPECT_EQ(cfg.routes[0].topics[0].text(), "#");
    Message m;
    m.topic = "org.fedoraproject.dev.logger.hello_world";
    EXPECT_EQ(cfg.routes[0].playbook.expand(FieldContext{m, 1}),
              "/srv/pb/org/fedoraproject/dev/logger/hello_world.yml");
    EXPECT_FALSE(cfg.has_amqp);

    auto named = parse("ansible: {playbooks_dir: /srv/pb}\nrouting_keys: [a.b]\npath_translator: rkdirectory\n");
    EXPECT_EQ(named.routes[0].playbook.text(), "/srv/pb/a/b.yml");
}

TEST(ListenConfig, LoopabullInlinePasswordRefused) {
    EXPECT_NE(config_error(R"(
ansible: {playbooks_dir: /p}
routing_keys: [a]
plugins: {looper: {name: fedmsgrabbitmq, credentials: {username: u, password: hunter2},
          rabbitmq: {host: h}, channel_queue: {name: q}}}
)")
                  .find("inline passwords"),
              std::string::npos);
    EXPECT_NE(config_error("ansible: {playbooks_dir: /p}\nrouting_keys: [a]\nplugins: {looper: {name: fedmsg}}\n")
                  .find("only the fedmsgrabbitmq looper"),
              std::string::npos);
}

TEST(ListenConfig, RetriesDeadLettersMetricsAndDrain) {
    auto cfg = parse(R"(
retry_delay: 30s
retry_delay_max: 10m
drain_timeout: 5m
metrics: {textfile: m.prom, interval: 5s}
amqp: {url: "amqp://u@h/%2F", queue: work, queue_type: quorum, delivery_limit: 7, reconnect_delay_max: 30s}
routes:
  - {name: a, topic: t, command: [x]}
  - {name: b, topic: t, command: [x], retry_delay: 1s, retry_delay_max: 2s}
)");
    EXPECT_EQ(cfg.routes[0].retry_delay, std::chrono::seconds(30));
    EXPECT_EQ(cfg.routes[0].retry_delay_max, std::chrono::minutes(10));
    EXPECT_EQ(cfg.routes[1].retry_delay, std::chrono::seconds(1));
    EXPECT_EQ(cfg.routes[1].retry_delay_max, std::chrono::seconds(2));
    EXPECT_EQ(cfg.drain_timeout, std::chrono::minutes(5));
    EXPECT_EQ(cfg.metrics.interval, std::chrono::seconds(5));
    EXPECT_EQ(cfg.amqp.dead_letter_exchange, "flr.dead");
    EXPECT_EQ(cfg.amqp.dead_letter_queue, "work.dead");
    EXPECT_EQ(cfg.amqp.delivery_limit, 7);
    EXPECT_EQ(cfg.amqp.reconnect_delay, std::chrono::seconds(1));
    EXPECT_EQ(cfg.amqp.reconnect_delay_max, std::chrono::seconds(30));

    auto passive = parse(
        "amqp: {url: \"amqp://u@h/\", queue: q, passive_declares: true}\nroutes: [{name: a, topic: t, command: "
        "[x]}]\n");
    EXPECT_EQ(passive.amqp.dead_letter_exchange, "");  // only what operators provisioned

    EXPECT_NE(config_error("retry_delay: 1m\nretry_delay_max: 10s\nroutes: [{name: a, topic: t, command: [x]}]\n")
                  .find("shorter than retry_delay"),
              std::string::npos);
    EXPECT_NE(
        config_error("metrics: {textfile: x, every: 1s}\nroutes: [{name: a, topic: t, command: [x]}]\n").find("every"),
        std::string::npos);
}

// Bad field paths are configuration errors naming the key, on one line.
TEST(ListenConfig, FieldPathErrors) {
    auto when = config_error(R"(routes: [{name: r, topic: t, when: {'body["a': 1}, command: [x]}])");
    EXPECT_NE(when.find("when.body[\"a"), std::string::npos) << when;
    EXPECT_NE(when.find("unclosed quote"), std::string::npos) << when;
    auto key = config_error(R"(routes: [{name: r, topic: t, command: [x], ordering_key: "{body..a}"}])");
    EXPECT_NE(key.find("ordering_key"), std::string::npos) << key;
    EXPECT_NE(key.find("empty element"), std::string::npos) << key;
    auto root = config_error(R"(routes: [{name: r, topic: t, command: ['{id["x"]}']}])");
    EXPECT_NE(root.find("id has no elements"), std::string::npos) << root;
    for (const auto& e : {when, key, root}) {
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    }
    EXPECT_EQ(config_error(R"(routes: [{name: r, topic: t, command: ['{body["a.b"]["c"].0}'],
                                        when: {'headers["x.y"]': 1}}])"),
              "no error");
}

}  // namespace flr::engine
