#include "../test_util.hpp"
#include "engine/ack_window.hpp"
#include "engine/action.hpp"
#include "engine/vars.hpp"
#include "listen_test_data.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <vector>

namespace flr::engine {
namespace {

std::string emit(const Json& j) {
    std::string out;
    emit_unsafe(j, out);
    return out;
}

}  // namespace

TEST(ListenVars, EveryStringIsTaggedUnsafe) {
    EXPECT_EQ(emit(Json::parse(R"({"k": "v", "n": 1, "b": true, "z": null, "l": ["x", 2]})")),
              R"({!unsafe "b": true, !unsafe "k": !unsafe "v", !unsafe "l": [!unsafe "x", 2], !unsafe "n": 1, )"
              R"(!unsafe "z": null})");
    EXPECT_EQ(emit("{{ lookup('pipe', 'id') }}"), R"(!unsafe "{{ lookup('pipe', 'id') }}")");
}

TEST(ListenVars, EscapesAndUnicode) {
    EXPECT_EQ(emit("a\"b\\c\nd\te\x01"), R"(!unsafe "a\"b\\c\nd\te\u0001")");
    EXPECT_EQ(emit("\xc3\xa9\xf0\x9f\x98\x80"), R"(!unsafe "\u00E9\U0001F600")");
}

TEST(ListenVars, FloatsStayFloatsInYaml11) {
    EXPECT_EQ(emit(Json::parse("1e+20")), "1.0e+20");
    EXPECT_EQ(emit(Json::parse("2.5")), "2.5");
}

TEST(ListenVars, FileIsValidYamlWithBothVariables) {
    Message m;
    m.topic = "t.x";
    m.id = "id";
    m.sent_at = "2024-01-01T00:00:00+00:00";
    m.headers = Json::parse(R"({"h": "v"})");
    m.body = Json::parse(R"({"name": "pkg", "deep": {"list": [1, "two"]}})");
    YAML::Node doc = YAML::Load(vars_yaml(m, 2));
    EXPECT_EQ(doc["msg"]["name"].Scalar(), "pkg");
    EXPECT_EQ(doc["msg"]["name"].Tag(), "!unsafe");
    EXPECT_EQ(doc["msg"]["deep"]["list"][1].Scalar(), "two");
    EXPECT_EQ(doc["flr_message"]["topic"].Scalar(), "t.x");
    EXPECT_EQ(doc["flr_message"]["attempt"].as<int>(), 2);
    EXPECT_EQ(doc["flr_message"]["headers"]["h"].Scalar(), "v");
    EXPECT_EQ(doc["flr_message"]["sent_at"].Scalar(), "2024-01-01T00:00:00+00:00");
}

TEST(ListenAction, PlaybookLaunchWritesA0600VarsFile) {
    test::TempDir dir;
    Route r;
    r.name = "r";
    r.is_playbook = true;
    r.playbook = Template::parse("/pb/{topic}.yml", "w");
    r.ansible.cfg = "/etc/a.cfg";
    Message m;
    m.topic = "a.b";
    m.body = Json::parse(R"({"x": 1})");
    Launch l = prepare(r, m, 1, ActionEnv{dir.path().string(), {}}, 7);
    EXPECT_EQ(l.spec.argv, (std::vector<std::string>{"ansible-playbook", "/pb/a.b.yml", "-e", "@" + l.vars_file}));
    struct stat st {};
    ASSERT_EQ(::stat(l.vars_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(process::env_lookup(l.spec.env, "ANSIBLE_CONFIG"), "/etc/a.cfg");
    m.topic = "../../etc/passwd";
    EXPECT_THROW(prepare(r, m, 1, ActionEnv{dir.path().string(), {}}, 8), FieldError);
}

// A NUL cannot be carried by an argument: the job fails rather than run with the value
// cut short. A playbook's msg carries it whole (tests/data/messages/nul-in-string...).
TEST(ListenAction, NulNeverReachesAnArgument) {
    test::TempDir dir;
    Message m = test::data_message("nul-in-string.org.fedoraproject.prod.buildsys.tag.json");
    Route cmd;
    cmd.name = "cmd";
    cmd.command = {Template::parse("koji", "w"), Template::parse("tag arg=[{body.tag}]", "w")};
    try {
        prepare(cmd, m, 1, ActionEnv{dir.path().string(), {}}, 1);
        ADD_FAILURE() << "a NUL reached an argument";
    } catch (const FieldError& e) {
        EXPECT_NE(std::string(e.what()).find("command[1] \"tag arg=[{body.tag}]\": a value holds a NUL character"),
                  std::string::npos)
            << e.what();
    }
    cmd.command[1] = Template::parse("{body.name}", "w");
    EXPECT_EQ(prepare(cmd, m, 1, ActionEnv{dir.path().string(), {}}, 2).spec.argv,
              (std::vector<std::string>{"koji", "python-specfile"}));

    Route pb;
    pb.name = "pb";
    pb.is_playbook = true;
    pb.playbook = Template::parse("/pb/{body.tag}.yml", "w");
    EXPECT_THROW(prepare(pb, m, 1, ActionEnv{dir.path().string(), {}}, 3), FieldError);
    pb.playbook = Template::parse("/pb/tag.yml", "w");
    Launch l = prepare(pb, m, 1, ActionEnv{dir.path().string(), {}}, 4);
    YAML::Node doc = YAML::LoadFile(l.vars_file);
    EXPECT_EQ(doc["msg"]["tag"].Scalar(), std::string("f41\0-evil", 9));
}

// A message without an id or a sent-at time: null in the vars file, never "".
TEST(ListenVars, MissingIdIsNull) {
    Message m = test::data_message("legacy-fedmsg-no-msg-id.org.fedoraproject.prod.buildsys.tag.json");
    YAML::Node doc = YAML::Load(vars_yaml(m, 1));
    EXPECT_TRUE(doc["flr_message"]["id"].IsNull());
    EXPECT_TRUE(doc["flr_message"]["sent_at"].IsNull());
    m.id = "2013-u";
    doc = YAML::Load(vars_yaml(m, 1));
    EXPECT_EQ(doc["flr_message"]["id"].Scalar(), "2013-u");
    EXPECT_EQ(doc["flr_message"]["id"].Tag(), "!unsafe");
}

TEST(ListenAckWindow, BatchesThePrefixAndAcksBehindPendingOneByOne) {
    AckWindow w;
    std::vector<std::string> sent;
    AckWindow::Sink sink{[&](std::uint64_t t, bool m) { sent.push_back((m ? "ack* " : "ack ") + std::to_string(t)); },
                         [&](std::uint64_t t) { sent.push_back("reject " + std::to_string(t)); }};
    for (std::uint64_t t = 1; t <= 6; ++t) {
        w.add(t);
    }
    w.settle(1, true);
    w.settle(2, false);
    w.settle(3, true);
    w.settle(5, true);
    w.flush(sink);
    EXPECT_EQ(sent, (std::vector<std::string>{"reject 2", "ack* 3", "ack 5"}));
    sent.clear();
    w.settle(4, true);
    w.settle(6, true);
    w.flush(sink);
    EXPECT_EQ(sent, (std::vector<std::string>{"ack* 6"}));
    EXPECT_EQ(w.size(), 0u);
}

}  // namespace flr::engine
