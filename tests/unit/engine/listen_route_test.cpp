#include "engine/listen_config.hpp"
#include "listen_test_data.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

#include <chrono>

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

// A regex sees the whole value, NUL included: "^f41$" must not pass "f41\0-evil", nor
// may "not_regex: evil" (tests/data/messages/nul-in-string...).
TEST(ListenRoute, RegexSeesPastANul) {
    auto cfg = parse(R"(routes:
  - {name: allow, topic: "#", when: {body.tag: {regex: "^f41$"}}, command: [x]}
  - {name: deny, topic: "#", when: {body.tag: {not_regex: evil}}, command: [x]}
  - {name: nul, topic: "#", when: {body.tag: {regex: "^f41\\x00-evil$"}}, command: [x]})");
    Message m = message("t", R"({"tag": "f41\u0000-evil"})");
    EXPECT_FALSE(cfg.routes[0].matches(m));
    EXPECT_FALSE(cfg.routes[1].matches(m));
    EXPECT_TRUE(cfg.routes[2].matches(m));
    Message plain = message("t", R"({"tag": "f41"})");
    EXPECT_TRUE(cfg.routes[0].matches(plain));
    EXPECT_TRUE(cfg.routes[1].matches(plain));
}

// Regexes work on characters: "." is one character, whatever its UTF-8 length.
TEST(ListenRoute, RegexWorksOnCharacters) {
    auto cfg = parse(R"(routes:
  - {name: r, topic: "#", when: {body.issue.user.fullname: {regex: "^Miro Hron.ok$"}}, command: [x]}
  - {name: s, topic: "#", when: {body.issue.comments.0.comment: {regex: "\\p{L}+, d\\p{L}ky! .$"}}, command: [x]})");
    Message m = test::data_message("non-ascii.io.pagure.prod.pagure.issue.comment.added.json");
    EXPECT_TRUE(cfg.routes[0].matches(m));
    EXPECT_TRUE(cfg.routes[1].matches(m));
    EXPECT_FALSE(cfg.routes[0].matches(message("t", R"({"issue": {"user": {"fullname": "Miro Hronxxok"}}})")));
}

// A pattern that backtracks without end stops at the match limit, quickly, and the
// condition fails whichever way it is written.
TEST(ListenRoute, RegexMatchLimit) {
    auto cfg = parse(R"(routes:
  - {name: r, topic: "#", when: {body.s: {regex: "^(a|aa)+$"}}, command: [x]}
  - {name: n, topic: "#", when: {body.s: {not_regex: "^(a|aa)+$"}}, command: [x]})");
    Message m = message("t", ("{\"s\": \"" + std::string(64, 'a') + "b\"}").c_str());
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(cfg.routes[0].matches(m));
    EXPECT_FALSE(cfg.routes[1].matches(m));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    Message fine = message("t", R"({"s": "aaaa"})");
    EXPECT_TRUE(cfg.routes[0].matches(fine));
    EXPECT_FALSE(cfg.routes[1].matches(fine));
    // Long values are fine when the pattern is.
    Message long_value = message("t", ("{\"s\": \"" + std::string(300000, 'a') + "\"}").c_str());
    auto simple = parse(R"(routes: [{name: r, topic: "#", when: {body.s: {regex: "^a*$"}}, command: [x]}])");
    EXPECT_TRUE(only_route(simple).matches(long_value));
}

TEST(ListenRoute, RegexErrorsAtLoad) {
    EXPECT_THROW(parse(R"(routes: [{name: r, topic: t, when: {body.a: {regex: "("}}, command: [x]}])"), ConfigError);
    EXPECT_THROW(parse(R"(routes: [{name: r, topic: t, when: {body.a: {regex: "\\p{Nope}"}}, command: [x]}])"),
                 ConfigError);
}

// One path element may be quoted: names with dots, empty names (tests/data/messages/dotted-keys...).
TEST(ListenRoute, QuotedPathElements) {
    auto cfg = parse(R"(routes:
  - name: r
    topic: "#"
    when:
      headers["fedora_messaging_rpm_python3.12"]: true
      'body.files[".packit.yaml"]': {exists: true}
      body[""]: "pagure's empty key"
      body.artifact["builds"].0.component: python3.12
    command: [x, '{headers["fedora_messaging_rpm_python3.12"]}', '{body.files[".packit.yaml"]}', '{body[""]}']
    ordering_key: '{body.artifact.builds.0["nvr"]}')");
    Message m = test::data_message(
        "dotted-keys.org.fedoraproject.prod.bodhi.update.status.testing.koji-build-group.build.complete.json");
    const Route& r = only_route(cfg);
    EXPECT_TRUE(r.matches(m));
    std::vector<std::string> argv;
    for (const auto& t : r.command) {
        argv.push_back(t.expand(FieldContext{m, 1}));
    }
    EXPECT_EQ(argv, (std::vector<std::string>{"x", "true", "specfile_path: python3.12.spec", "pagure's empty key"}));
    EXPECT_EQ(r.ordering_key->expand(FieldContext{m, 1}), "python3.12-3.12.7-1.fc41");
    // The dotted spelling names nested keys, as before: not these.
    EXPECT_THROW(Template::parse("{headers.fedora_messaging_rpm_python3.12}", "w").expand(FieldContext{m, 1}),
                 FieldError);
    m.headers.erase("fedora_messaging_rpm_python3.12");
    EXPECT_FALSE(r.matches(m));
}

TEST(ListenRoute, QuotedPathSyntax) {
    Message m = message("t", R"({"a\"b": 1, "c\\d": 2, "l": [7], "x}y": 3})");
    Json scratch;
    auto value = [&](const char* path) {
        const Json* v = FieldPath::parse(path, "w").lookup(FieldContext{m, 1}, scratch);
        return v ? v->dump() : "absent";
    };
    EXPECT_EQ(value(R"(body["a\"b"])"), "1");
    EXPECT_EQ(value(R"(body["c\\d"])"), "2");
    EXPECT_EQ(value("body.l.0"), "7");
    EXPECT_EQ(value(R"(body["l"].0)"), "7");
    EXPECT_EQ(value(R"(body.l["0"])"), "absent");  // a quoted element is a key, never an index
    EXPECT_EQ(Template::parse(R"(<{body["x}y"]}>)", "w").expand(FieldContext{m, 1}), "<3>");
    for (const char* bad : {R"(body[a])", R"(body["a")", R"(body["a"]x)", R"(body["\n"])", "body..a", "body.",
                            R"(topic["a"])", "id.x", R"(bodyx["a"])", "body[", "body[\""}) {
        EXPECT_THROW(FieldPath::parse(bad, "w"), ConfigError) << bad;
    }
    EXPECT_THROW(Template::parse(R"({body["a}"})", "w"), ConfigError);
}

}  // namespace flr::engine
