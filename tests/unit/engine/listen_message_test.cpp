#include "engine/fields.hpp"
#include "engine/message.hpp"
#include "listen_test_data.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace flr::engine {
using test::data_message;

TEST(ListenMessage, ParsesAnObjectBody) {
    Json out;
    EXPECT_EQ(parse_body(R"({"a": [1, "x"]})", default_max_body, out), std::nullopt);
    EXPECT_EQ(out["a"][1], "x");
}

TEST(ListenMessage, RejectsEachKindOfInvalidBody) {
    Json out;
    EXPECT_EQ(parse_body("nope", default_max_body, out), "body is not JSON");
    EXPECT_EQ(parse_body("[1]", default_max_body, out), "body is not a JSON object");
    EXPECT_EQ(parse_body("\"s\"", default_max_body, out), "body is not a JSON object");
    EXPECT_EQ(parse_body("", default_max_body, out), "body is not JSON");
    EXPECT_EQ(parse_body("{\"a\": \"\xff\"}", default_max_body, out), "body is not UTF-8");
    EXPECT_EQ(parse_body(R"({"a": 1})", 4, out), "body of 8 bytes is over the 4 byte limit");
    EXPECT_NE(parse_body(std::string(100000, '['), default_max_body, out)->find("nested"), std::string::npos);
}

// parse_body parses with simdjson; it must build the values nlohmann's parser builds
// (the rest of flr-listen works on those), and refuse what it refuses.
TEST(ListenMessage, ParserAgreesWithNlohmann) {
    const char* bodies[] = {R"({})",
                            R"( {"a" : 1 } )",
                            "\xef\xbb\xbf{\"bom\": true}",
                            "\xef\xbb{}",
                            R"({"a": 1,})",
                            R"({"a" 1})",
                            R"({"a": 01})",
                            R"({"a": -0})",
                            R"({"a": -0.0})",
                            R"({"a": 1.5e3, "b": 1E-2, "c": -1e+2})",
                            R"({"a": 1.})",
                            R"({"a": .5})",
                            R"({"a": 1e})",
                            R"({"a": -})",
                            R"({"a": 18446744073709551615})",
                            R"({"a": 18446744073709551616})",
                            R"({"a": -9223372036854775808})",
                            R"({"a": -9223372036854775809})",
                            R"({"a": 1e400})",
                            R"({"a": 1e-400})",
                            R"({"a": 4.9e-324})",
                            R"({"a": 0.1, "b": 123456789012345678901234567890})",
                            R"({"a": "x\"y\\z\/\b\f\n\r\t"})",
                            R"({"a": "\u00e9\u20ac\ud83d\ude00\u0000"})",
                            R"({"a": "\ud83d"})",
                            R"({"a": "\ude00"})",
                            R"({"a": "\ud83dx"})",
                            R"({"a": "\ud83d\u0041"})",
                            R"({"a": "\u12"})",
                            R"({"a": "\x"})",
                            "{\"a\": \"\t\"}",
                            "{\"a\": \"\x7f\"}",
                            "{\"\xc3\xa9\": \"\xf0\x9f\x98\x80\"}",
                            "{\"a\": \"\xe0\x80\x80\"}",
                            "{\"a\": \"\xed\xa0\x80\"}",
                            "{\"a\": \"\xf4\x90\x80\x80\"}",
                            "{\"a\": \"\xc3\"}",
                            R"({"a": "x", "a": [1, {"b": null}], "c": [true, false, []]})",
                            R"({"a": tru})",
                            R"({"a": nul})",
                            R"({"a": [1 2]})",
                            R"({"a": "unterminated)",
                            R"({"a": 1} x)",
                            R"({"a": 1}})",
                            "{\"a\":1}\n\r\t ",
                            R"([1])",
                            R"("s")",
                            R"(3)",
                            "",
                            " ",
                            "{\"a\": 1}\x00"};
    for (std::string_view body : bodies) {
        Json fast;
        auto reason = parse_body(body, default_max_body, fast);
        Json ref = Json::parse(body, nullptr, false);
        bool ref_ok = !ref.is_discarded() && ref.is_object();
        EXPECT_EQ(!reason, ref_ok) << body << ": " << reason.value_or("accepted");
        if (!reason && ref_ok) {
            EXPECT_EQ(fast.dump(), ref.dump()) << body;
            EXPECT_EQ(fast["a"].type(), ref["a"].type()) << body;
        }
    }
    // A raw NUL byte is not JSON anywhere, after the value too (nlohmann's parser took it
    // for the end of the input and ignored what followed).
    std::string nul("{\"a\": 1}\0 junk", 14);
    Json after_nul;
    EXPECT_EQ(parse_body(nul, default_max_body, after_nul), "body is not JSON");
    EXPECT_EQ(parse_body(std::string("{\"a\": 1}\0", 9), default_max_body, after_nul), "body is not JSON");
    EXPECT_EQ(parse_body(std::string("{}\0\xff", 4), default_max_body, after_nul), "body is not UTF-8");
    EXPECT_TRUE(parse_body("{}" + std::string(1, '\0') + std::string(300, '['), default_max_body, after_nul));
    // Integers beyond 64 bits are floats, as they were; past the NUL check and the depth limit.
    EXPECT_EQ(parse_body(std::string("{\"a\": 123456789012345678901234567890}\0", 38), default_max_body, after_nul),
              "body is not JSON");
    EXPECT_NE(parse_body("{\"n\": 123456789012345678901234567890, \"a\": " + std::string(300, '[') + "}",
                         default_max_body, after_nul)
                  ->find("nested"),
              std::string::npos);
    // An escaped NUL inside a string is a character like any other.
    ASSERT_EQ(parse_body(R"({"tag": "f41\u0000-evil"})", default_max_body, after_nul), std::nullopt);
    EXPECT_EQ(after_nul["tag"].get<std::string>(), std::string("f41\0-evil", 9));
    std::string deep = std::string(200, '[') + std::string(200, ']');
    Json out;
    EXPECT_EQ(parse_body("{\"a\": " + deep.substr(1, 398) + "}", default_max_body, out), std::nullopt);
    EXPECT_NE(parse_body("{\"a\": " + deep + "}", default_max_body, out)->find("nested"), std::string::npos);
}

TEST(ListenMessage, Utf8Validation) {
    auto check = [](const std::string& text) {
        Json out;
        return parse_body("{\"a\": \"" + text + "\"}", default_max_body, out).value_or("valid");
    };
    EXPECT_EQ(check("plain"), "valid");
    EXPECT_EQ(check("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), "valid");
    EXPECT_EQ(check("\xc0\xaf"), "body is not UTF-8");          // overlong
    EXPECT_EQ(check("\xed\xa0\x80"), "body is not UTF-8");      // surrogate
    EXPECT_EQ(check("\xf4\x90\x80\x80"), "body is not UTF-8");  // > U+10FFFF
    EXPECT_EQ(check("\xe2\x82"), "body is not UTF-8");          // truncated
    Json out;
    EXPECT_EQ(parse_body("{\"a\": 1}\xff", default_max_body, out), "body is not UTF-8");  // outside strings too
}

TEST(ListenMessage, LargeBodiesHaveTheirOwnParser) {
    std::string big = "{\"a\": \"" + std::string(3 * 1024 * 1024, 'x') + "\", \"b\": [1, 2]}";
    Json out;
    ASSERT_EQ(parse_body(big, default_max_body, out), std::nullopt);
    EXPECT_EQ(out["a"].get_ref<const std::string&>().size(), 3u * 1024 * 1024);
    ASSERT_EQ(parse_body(R"({"small": true})", default_max_body, out), std::nullopt);  // the reused one still works
    EXPECT_EQ(out["small"], true);
}

TEST(ListenMessage, FedoraMessagingDump) {
    Json rec = Json::parse(R"({"topic": "org.x.y", "id": "abc", "headers": {"sent-at": "2024-01-01T00:00:00+00:00",
        "k": 1}, "body": {"name": "n"}, "queue": null})");
    Message m;
    ASSERT_EQ(from_dump(rec, m), std::nullopt);
    EXPECT_EQ(m.topic, "org.x.y");
    EXPECT_EQ(m.id, "abc");
    EXPECT_EQ(m.sent_at, "2024-01-01T00:00:00+00:00");
    EXPECT_EQ(m.headers["k"], 1);
    EXPECT_EQ(m.body["name"], "n");
}

TEST(ListenMessage, LegacyFedmsgEnvelope) {
    Json rec = Json::parse(R"({"topic": "org.x", "msg": {"a": 1}, "msg_id": "2013-u", "timestamp": 1359603469.2,
        "i": 1, "username": "apache"})");
    Message m;
    ASSERT_EQ(from_dump(rec, m), std::nullopt);
    EXPECT_EQ(m.id, "2013-u");
    EXPECT_EQ(m.sent_at, "2013-01-31T03:37:49+00:00");
    EXPECT_EQ(m.body["a"], 1);
    EXPECT_TRUE(m.headers.empty());
}

TEST(ListenMessage, InvalidDumpRecords) {
    Message m;
    EXPECT_EQ(from_dump(Json::array(), m), "record is not a JSON object");
    EXPECT_EQ(from_dump(Json::parse(R"({"body": {}})"), m), "record has no topic");
    EXPECT_EQ(from_dump(Json::parse(R"({"topic": "t", "body": [1]})"), m), "body is not a JSON object");
    EXPECT_EQ(from_dump(Json::parse(R"({"topic": "t"})"), m), "body is not a JSON object");
}

}  // namespace flr::engine

namespace flr::engine {

// Each message shape from the field (tests/data/messages) parses, whole.
TEST(ListenMessage, FieldShapes) {
    Message nul = data_message("nul-in-string.org.fedoraproject.prod.buildsys.tag.json");
    EXPECT_EQ(nul.body["tag"].get<std::string>(), std::string("f41\0-evil", 9));
    Message dotted = data_message(
        "dotted-keys.org.fedoraproject.prod.bodhi.update.status.testing.koji-build-group.build.complete.json");
    EXPECT_EQ(dotted.headers["fedora_messaging_rpm_python3.12"], true);
    EXPECT_TRUE(dotted.body["files"].contains(".packit.yaml"));
    EXPECT_TRUE(dotted.body.contains(""));
    Message large = data_message("large-body.org.fedoraproject.prod.copr.build.end.json");
    EXPECT_GT(large.body.dump().size(), 300000u);
}

// A message without an id has none: {id} and {sent_at} are missing fields, as any other.
TEST(ListenMessage, LegacyEnvelopeWithoutMsgId) {
    Message m = data_message("legacy-fedmsg-no-msg-id.org.fedoraproject.prod.buildsys.tag.json");
    EXPECT_EQ(m.id, "");
    EXPECT_EQ(m.sent_at, "");
    EXPECT_EQ(m.body["tag"], "f18-updates-testing-pending");
    FieldContext ctx{m, 1};
    EXPECT_THROW(Template::parse("{id}", "w").expand(ctx), FieldError);
    EXPECT_THROW(Template::parse("x-{sent_at}", "w").expand(ctx), FieldError);
    EXPECT_EQ(Template::parse("{topic}/{body.tag}", "w").expand(ctx),
              "org.fedoraproject.prod.buildsys.tag/f18-updates-testing-pending");
    Json scratch;
    EXPECT_EQ(FieldPath::parse("id", "w").lookup(ctx, scratch), nullptr);
    m.id = "2013-u";
    EXPECT_EQ(Template::parse("{id}", "w").expand(ctx), "2013-u");
}

// Log lines carry at most 4 KiB of the message, marked when cut; short ones whole.
TEST(ListenMessage, LogFormIsBounded) {
    Message large = data_message("large-body.org.fedoraproject.prod.copr.build.end.json");
    std::string whole = to_dump(large).dump();
    std::string line = log_form(large);
    EXPECT_LT(line.size(), 4096u + 100);
    EXPECT_EQ(line.substr(0, 4096), whole.substr(0, 4096));
    EXPECT_NE(line.find(fmt::format("[cut: 4096 of {} bytes]", whole.size())), std::string::npos) << line.substr(4000);

    Message small;
    small.topic = "t";
    small.id = "i";
    small.body = Json{{"k", "v"}};
    EXPECT_EQ(log_form(small), to_dump(small).dump());

    // Never in the middle of a character.
    Message wide;
    wide.topic = "t";
    wide.body = Json{{"k", std::string(3000, 'x') + [] {
                          std::string s;
                          for (int i = 0; i < 1000; ++i) {
                              s += "\xc4\x8d";  // č
                          }
                          return s;
                      }()}};
    std::string cut = log_form(wide);
    std::string kept = cut.substr(0, cut.find(" ... [cut: "));
    Json ignored;
    EXPECT_EQ(parse_body("{\"k\": \"" + kept.substr(kept.find("xxx")) + "\"}", default_max_body, ignored),
              std::nullopt);
    EXPECT_LE(kept.size(), 4096u);
}

}  // namespace flr::engine
