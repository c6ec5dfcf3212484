// The answers the scm workflow reads: FASJSON, pkg_el{N}.json, dist-git access lists and
// branch heads, Bugzilla comments.
#include "services/bugzilla_decode.hpp"
#include "services/fasjson_decode.hpp"
#include "services/pagure_access.hpp"
#include "services/pkg_el_decode.hpp"

#include <gtest/gtest.h>

using nlohmann::json;

TEST(FasjsonDecode, User) {
    auto u = flr::fasjson::user_from_json(json::parse(
        R"({"result": {"username": "jdoe", "emails": ["a@example.org", "b@example.org"], "rhbzemail": null}})"));
    EXPECT_EQ(u.username, "jdoe");
    EXPECT_EQ(u.emails.size(), 2u);
    EXPECT_EQ(u.rhbzemail, "");
    EXPECT_THROW(flr::fasjson::user_from_json(json::parse(R"({"result": {"emails": []}})")), flr::services::Shape);
    EXPECT_THROW(flr::fasjson::user_from_json(json::parse(R"({"user": {}})")), flr::services::Shape);
}

TEST(FasjsonDecode, GroupsAndMembers) {
    EXPECT_EQ(flr::fasjson::groups_from_json(json::parse(R"({"result": [{"groupname": "packager"}]})")),
              std::vector<std::string>{"packager"});
    EXPECT_EQ(flr::fasjson::members_from_json(json::parse(R"({"result": [{"username": "a"}, {"username": "b"}]})")),
              (std::vector<std::string>{"a", "b"}));
    EXPECT_THROW(flr::fasjson::members_from_json(json::parse(R"({"result": [{"groupname": "x"}]})")),
                 flr::services::Shape);
    EXPECT_THROW(flr::fasjson::groups_from_json(json::parse(R"({"result": {}})")), flr::services::Shape);
}

TEST(PkgElDecode, Release) {
    auto r = flr::pkg_el::release_from_json(json::parse(
        R"({"arches": ["x86_64", "noarch"], "packages": {"bash": {"arch": ["x86_64"]}, "six": {"arch": ["noarch"]}}})"));
    EXPECT_EQ(r.arches, (std::vector<std::string>{"x86_64", "noarch"}));
    EXPECT_EQ(r.packages.at("six"), std::vector<std::string>{"noarch"});
    EXPECT_THROW(flr::pkg_el::release_from_json(json::parse(R"({"packages": {"bash": ["x86_64"]}})")),
                 flr::services::Shape);
    EXPECT_THROW(flr::pkg_el::release_from_json(json::parse(R"({"arches": "x86_64"})")), flr::services::Shape);
}

TEST(PagureAccessDecode, Contributors) {
    auto a = flr::pagure::access_from_json(json::parse(R"({
        "users": {"admin": ["alice"], "commit": ["bob"], "collaborators": [{"user": "carol", "branches": "epel*, f4*"}],
                  "ticket": []},
        "groups": {"admin": [], "commit": ["kde-sig"], "collaborators": [{"user": "python-sig", "branches": "f44"}],
                   "ticket": []}})"));
    EXPECT_EQ(a.admins, std::vector<std::string>{"alice"});
    EXPECT_EQ(a.committers, std::vector<std::string>{"bob"});
    ASSERT_EQ(a.collaborators.size(), 1u);
    EXPECT_EQ(a.collaborators[0].branches, (std::vector<std::string>{"epel*", "f4*"}));
    EXPECT_EQ(a.commit_groups, std::vector<std::string>{"kde-sig"});
    EXPECT_EQ(a.collaborator_groups.at(0).name, "python-sig");
    EXPECT_THROW(flr::pagure::access_from_json(json::parse(R"({"users": {"collaborators": [{"branches": "x"}]}})")),
                 flr::services::Shape);
}

TEST(PagureAccessDecode, BranchHeads) {
    auto h = flr::pagure::branch_heads_from_json(json::parse(R"({"branches": {"rawhide": "abc", "f44": "def"}})"));
    EXPECT_EQ(h.at("rawhide"), "abc");
    EXPECT_THROW(flr::pagure::branch_heads_from_json(json::parse(R"({"branches": {"rawhide": 1}})")),
                 flr::services::Shape);
}

TEST(BugzillaDecode, Comments) {
    auto c = flr::bugzilla::comments_from_json(
        json::parse(R"({"bugs": {"7": {"comments": [{"text": "one"}, {"text": "two"}]}}})"), 7);
    EXPECT_EQ(c, (std::vector<std::string>{"one", "two"}));
    EXPECT_TRUE(flr::bugzilla::comments_from_json(json::parse(R"({"bugs": {}})"), 7).empty());
}
