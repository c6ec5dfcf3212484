#include "engine/message.hpp"

#include <gtest/gtest.h>

namespace flr::engine {

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

TEST(ListenMessage, Utf8Validation) {
    EXPECT_TRUE(valid_utf8("plain"));
    EXPECT_TRUE(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
    EXPECT_FALSE(valid_utf8("\xe2\x82"));          // truncated
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
