#include "engine/listen_config.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

namespace flr::engine {
namespace {

bool match(const char* pattern, const char* topic) {
    return TopicPattern(pattern).matches(topic);
}

Message message(const char* topic, const char* body, const char* headers = "{}") {
    Message m;
    m.topic = topic;
    m.id = "id-1";
    m.body = Json::parse(body);
    m.headers = Json::parse(headers);
    return m;
}

const Route& only_route(const ListenConfig& cfg) {
    return cfg.routes.at(0);
}

ListenConfig parse(const std::string& yaml) {
    return load_listen_config(Config::parse(yaml, "test.yaml"));
}

}  // namespace

TEST(ListenRoute, TopicWildcards) {
    EXPECT_TRUE(match("a.b.c", "a.b.c"));
    EXPECT_FALSE(match("a.b.c", "a.b"));
    EXPECT_TRUE(match("a.*.c", "a.b.c"));
    EXPECT_FALSE(match("a.*.c", "a.c"));
    EXPECT_FALSE(match("a.*", "a.b.c"));
    EXPECT_TRUE(match("a.#", "a"));
    EXPECT_TRUE(match("a.#", "a.b.c"));
    EXPECT_TRUE(match("#", "anything.at.all"));
    EXPECT_TRUE(match("#.c", "a.b.c"));
    EXPECT_TRUE(match("a.#.c.#.e", "a.x.c.y.z.e"));
    EXPECT_FALSE(match("a.#.c.#.e", "a.x.c.y.z"));
    EXPECT_TRUE(match("*.#", "a"));
    EXPECT_FALSE(match("*.#", ""));
    EXPECT_TRUE(match("org.fedoraproject.*.buildsys.tag", "org.fedoraproject.prod.buildsys.tag"));
}

TEST(ListenRoute, EqualityAndMembership) {
    auto cfg = parse(R"(routes:
  - name: r
    topic: t
    when: {body.tag: [f43-updates, f43-updates-testing], body.n: 3, body.ok: true}
    command: [x])");
    const Route& r = only_route(cfg);
    EXPECT_TRUE(r.matches(message("t", R"({"tag": "f43-updates", "n": 3, "ok": true})")));
    EXPECT_TRUE(r.matches(message("t", R"({"tag": "f43-updates-testing", "n": 3, "ok": true})")));
    EXPECT_FALSE(r.matches(message("t", R"({"tag": "f42", "n": 3, "ok": true})")));
    EXPECT_FALSE(r.matches(message("t", R"({"tag": "f43-updates", "n": 4, "ok": true})")));
    EXPECT_FALSE(r.matches(message("t", R"({"tag": "f43-updates", "n": 3})")));
    EXPECT_FALSE(r.matches(message("u", R"({"tag": "f43-updates", "n": 3, "ok": true})")));
}

TEST(ListenRoute, NegationRegexExistence) {
    auto cfg = parse(R"(routes:
  - name: r
    topic: "#"
    when:
      body.tag: {not: [epel9, epel10], regex: "^f[0-9]+"}
      body.user: {not_regex: "^bot-"}
      headers.fedora_messaging_user_bob: {exists: true}
      body.gone: {exists: false}
    command: [x])");
    const Route& r = only_route(cfg);
    const char* h = R"({"fedora_messaging_user_bob": true})";
    EXPECT_TRUE(r.matches(message("a", R"({"tag": "f43", "user": "bob"})", h)));
    EXPECT_FALSE(r.matches(message("a", R"({"tag": "f43", "user": "bot-x"})", h)));
    EXPECT_FALSE(r.matches(message("a", R"({"tag": "epel9", "user": "bob"})", h)));
    EXPECT_FALSE(r.matches(message("a", R"({"tag": "rawhide", "user": "bob"})", h)));
    EXPECT_FALSE(r.matches(message("a", R"({"tag": "f43", "user": "bob"})")));
    EXPECT_FALSE(r.matches(message("a", R"({"tag": "f43", "user": "bob", "gone": 1})", h)));
}

TEST(ListenRoute, NestedPathsAndArrayIndexes) {
    auto cfg = parse(R"(routes:
  - {name: r, topic: t, when: {body.update.builds.0.nvr: a-1-1}, command: [x]})");
    EXPECT_TRUE(only_route(cfg).matches(message("t", R"({"update": {"builds": [{"nvr": "a-1-1"}]}})")));
    EXPECT_FALSE(only_route(cfg).matches(message("t", R"({"update": {"builds": []}})")));
    EXPECT_FALSE(only_route(cfg).matches(message("t", R"({"update": "x"})")));
}

TEST(ListenRoute, PlaceholdersAreWholeArguments) {
    auto cfg = parse(R"(routes:
  - name: r
    topic: t
    command: [koji, tag, "{body.build.nvr}", "--note={topic} {{literal}}", "{attempt}", "{body.n}"])");
    Message m = message("t", R"({"build": {"nvr": "a b; rm -rf /"}, "n": 2.5})");
    std::vector<std::string> argv;
    for (const auto& t : only_route(cfg).command) {
        argv.push_back(t.expand(FieldContext{m, 2}));
    }
    EXPECT_EQ(argv, (std::vector<std::string>{"koji", "tag", "a b; rm -rf /", "--note=t {literal}", "2", "2.5"}));
}

TEST(ListenRoute, MissingOrNonScalarPlaceholderIsAnError) {
    auto t = Template::parse("{body.x}", "w");
    Message m = message("t", R"({"x": {"y": 1}, "n": null})");
    EXPECT_THROW(t.expand(FieldContext{m, 1}), FieldError);
    EXPECT_THROW(Template::parse("{body.n}", "w").expand(FieldContext{m, 1}), FieldError);
    EXPECT_THROW(Template::parse("{body.missing}", "w").expand(FieldContext{m, 1}), FieldError);
    EXPECT_THROW(Template::parse("{nope}", "w"), ConfigError);
    EXPECT_THROW(Template::parse("{body.x", "w"), ConfigError);
    EXPECT_THROW(Template::parse("a}b", "w"), ConfigError);
}

TEST(ListenRoute, TopicPathNeverLeavesItsDirectory) {
    EXPECT_EQ(topic_path("org.fedoraproject.prod.x"), "org/fedoraproject/prod/x");
    EXPECT_EQ(topic_path("a..b"), std::nullopt);
    EXPECT_EQ(topic_path("a./etc.b"), std::nullopt);
}

}  // namespace flr::engine
