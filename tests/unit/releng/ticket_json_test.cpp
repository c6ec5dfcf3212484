#include "releng/ticket_json.hpp"
#include "fakes.hpp"
#include "releng/references.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

using namespace flr::releng;

TEST(RelengTicketJson, FindsTheFencedObject) {
    EXPECT_FALSE(fenced_object("no fence here"));
    auto obj = fenced_object("Please:\n```\n{\"action\": \"new_repo\", \"repo\": \"foo\"}\n```\nthanks");
    ASSERT_TRUE(obj);
    ASSERT_TRUE(obj->ok()) << obj->error();
    EXPECT_EQ(obj->value()["repo"], "foo");
    // An unclosed fence runs to the end of the body.
    EXPECT_EQ(fenced_block("```json\n{}"), "json\n{}");
    auto list = fenced_object("```\n[1, 2]\n```");
    ASSERT_TRUE(list);
    EXPECT_FALSE(list->ok());
    EXPECT_NE(list->error().find("not a JSON object"), std::string::npos);
    auto broken = fenced_object("```\n{\"name\": \n```");
    ASSERT_TRUE(broken);
    EXPECT_FALSE(broken->ok());
}

TEST(RelengTicketJson, MembersAreValuesOrProblems) {
    auto obj = Json::parse(R"({"name": "foo", "n": 3, "branches": "f44, rawhide  epel9", "list": ["a", 1],
                               "bug": "https://bugzilla.redhat.com/show_bug.cgi?id=42", "nobug": "", "badbug": "soon",
                               "gone": null, "alias": "x"})");
    EXPECT_EQ(*text_member(obj, {"name"}, "name"), "foo");
    EXPECT_EQ(*text_member(obj, {"missing"}, "missing"), "");
    EXPECT_EQ(*text_member(obj, {"gone", "alias"}, "alias"), "x") << "null counts as absent";
    EXPECT_EQ(text_member(obj, {"n"}, "n").error(), "\"n\" is not a string");
    EXPECT_EQ(*list_member(obj, {"branches"}, "branches"), (std::vector<std::string>{"f44", "rawhide", "epel9"}));
    EXPECT_EQ(list_member(obj, {"list"}, "list").error(), "\"list\" holds a value that is not a string");
    EXPECT_EQ(list_member(obj, {"n"}, "n").error(), "\"n\" is not a list");
    EXPECT_EQ(*bug_member(obj, {"bug"}, "bug"), 42);
    EXPECT_EQ(*bug_member(obj, {"n"}, "n"), 3);
    EXPECT_FALSE(*bug_member(obj, {"nobug"}, "nobug"));
    EXPECT_EQ(bug_member(obj, {"badbug"}, "badbug").error(), "\"badbug\" is not a bug number");
}

TEST(RelengReferences, ParsesTicketIdsAndOwnUrls) {
    flr::test::FakeTickets tickets;
    EXPECT_EQ(ticket_id("12", tickets), 12);
    EXPECT_EQ(ticket_id("https://pagure.io/releng/issue/12", tickets), 12);
    EXPECT_THROW(ticket_id("https://example.org/releng/issue/12", tickets), flr::UsageError);
    EXPECT_THROW(ticket_id("012", tickets), flr::UsageError);
    EXPECT_THROW(ticket_id("12; rm", tickets), flr::UsageError);
    EXPECT_THROW(ticket_id("", tickets), flr::UsageError);
}

TEST(ReleReferences, FindsBugReferences) {
    EXPECT_EQ(find_bug_reference("see rhbz#123"), 123);
    EXPECT_EQ(find_bug_reference("https://bugzilla.redhat.com/2270340"), 2270340);
    EXPECT_EQ(find_bug_reference(" 77 "), 77);
    EXPECT_FALSE(find_bug_reference("version 2 of 3"));
}
