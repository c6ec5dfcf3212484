#include <flr/config.hpp>
#include <flr/error.hpp>

#include "../test_util.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using flr::Config;

TEST(Config, DottedLookupAndTypes) {
    auto c = Config::parse(R"(
pagure:
  url: https://pagure.io
  timeout: 30
  verify: false
  projects: [releng, fedora-scm-requests]
)",
                           "t.yaml");
    EXPECT_EQ(c.string("pagure.url").value(), "https://pagure.io");
    EXPECT_EQ(c.integer("pagure.timeout").value(), 30);
    EXPECT_FALSE(c.boolean("pagure.verify").value());
    EXPECT_EQ(c.strings("pagure.projects"), (std::vector<std::string>{"releng", "fedora-scm-requests"}));
    EXPECT_FALSE(c.has("pagure.missing"));
    EXPECT_FALSE(c.has("nothing.here.at.all"));
    EXPECT_EQ(c.string_or("koji.url", "x"), "x");
    EXPECT_EQ(c.section("pagure").string("url").value(), "https://pagure.io");
    // Lookups never insert: the tree stays as it was.
    EXPECT_EQ(c.keys(), (std::vector<std::string>{"pagure"}));
}

TEST(Config, WalksMappingsListsAndScalars) {
    auto c = Config::parse("when:\n  body.a: [x, y]\n  topic: {regex: '^org'}\n  id: ~\n", "w.yaml");
    EXPECT_EQ(c.kind(), Config::Kind::map);
    EXPECT_EQ(c.node("absent").kind(), Config::Kind::null);
    auto entries = c.node("when").entries();
    ASSERT_EQ(entries.size(), 3U);
    EXPECT_EQ(entries[0].first, "body.a");
    EXPECT_EQ(entries[0].second.kind(), Config::Kind::list);
    auto items = entries[0].second.items();
    ASSERT_EQ(items.size(), 2U);
    EXPECT_EQ(items[1].scalar(), "y");
    EXPECT_EQ(items[1].where(), "w.yaml: when.body.a[1]");
    EXPECT_EQ(entries[1].first, "topic");
    EXPECT_EQ(entries[1].second.kind(), Config::Kind::map);
    EXPECT_EQ(entries[1].second.entries().at(0).first, "regex");
    EXPECT_EQ(entries[1].second.entries().at(0).second.scalar(), "^org");
    EXPECT_EQ(entries[2].second.kind(), Config::Kind::null);
    EXPECT_TRUE(entries[0].second.entries().empty());
    EXPECT_TRUE(c.items().empty());
    try {
        (void)entries[1].second.scalar();
        FAIL() << "a mapping read as a scalar";
    } catch (const flr::ConfigError& e) {
        EXPECT_STREQ(e.what(), "w.yaml: when.topic: expected a value");
    }
}

TEST(Config, WrongTypesAreConfigErrorsNamingTheKey) {
    auto c = Config::parse("a: {b: [1, 2]}\nn: twelve\n", "f.yaml");
    try {
        (void)c.string("a.b");
        FAIL() << "no error";
    } catch (const flr::ConfigError& e) {
        EXPECT_STREQ(e.what(), "f.yaml: a.b: expected a string");
    }
    EXPECT_THROW((void)c.integer("n"), flr::ConfigError);
    EXPECT_THROW((void)c.boolean("n"), flr::ConfigError);
    EXPECT_THROW((void)c.required_string("missing"), flr::ConfigError);
}

TEST(Config, MalformedYamlNamesFileAndLine) {
    try {
        (void)Config::parse("a: [1, 2\nb: c\n", "bad.yaml");
        FAIL() << "no error";
    } catch (const flr::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)Config::parse("- just\n- a list\n", "list.yaml"), flr::ConfigError);
}

TEST(Config, UnknownKeysAreRefused) {
    auto c = Config::parse("url: x\nurk: y\n", "k.yaml");
    EXPECT_THROW(c.check_keys({"url", "token_file"}), flr::ConfigError);
    EXPECT_NO_THROW(c.check_keys({"url", "urk"}));
}

TEST(Config, ListsOfMappings) {
    auto c = Config::parse("routes:\n  - name: a\n  - name: b\n", "r.yaml");
    auto routes = c.list("routes");
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(routes[1].string("name").value(), "b");
    EXPECT_EQ(routes[1].where("name"), "r.yaml: routes[1].name");
}

TEST(Config, SearchOrderHonoursEnvironmentOutsideSudo) {
    flr::test::TempDir dir;
    std::ofstream(dir.file("mine.yaml")) << "who: env\n";
    ::unsetenv("SUDO_USER");
    ::setenv("FLR_CONFIG", dir.file("mine.yaml").c_str(), 1);
    auto c = flr::find_config(std::nullopt);
    EXPECT_EQ(c.string("who").value(), "env");
    ::unsetenv("FLR_CONFIG");
}

TEST(Config, UnderSudoTheCallersOverridesAreIgnored) {
    flr::test::TempDir dir;
    std::ofstream(dir.file("mine.yaml")) << "who: caller\n";
    ::setenv("FLR_CONFIG", dir.file("mine.yaml").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", dir.path().c_str(), 1);
    ::setenv("SUDO_USER", "someone", 1);
    auto search = flr::config_search_path();
    ASSERT_EQ(search.size(), 1u);
    EXPECT_EQ(search[0].find(dir.path().string()), std::string::npos);
    EXPECT_THROW((void)flr::find_config(dir.file("mine.yaml")), flr::UsageError);
    ::unsetenv("SUDO_USER");
    ::unsetenv("FLR_CONFIG");
    ::unsetenv("XDG_CONFIG_HOME");
}
