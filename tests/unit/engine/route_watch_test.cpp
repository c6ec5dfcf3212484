#include "engine/route_watch.hpp"

#include <flr/config.hpp>

#include <gtest/gtest.h>

using namespace flr::engine;

TEST(RouteWatch, PatternsOverlap) {
    EXPECT_TRUE(patterns_overlap("io.pagure.*.pagure.issue.new", "io.pagure.#"));
    EXPECT_TRUE(patterns_overlap("io.pagure.*.pagure.issue.new", "io.pagure.prod.pagure.issue.*"));
    EXPECT_TRUE(patterns_overlap("#", "a.b"));
    EXPECT_TRUE(patterns_overlap("a.#.c", "a.*.*.c"));
    EXPECT_TRUE(patterns_overlap("a.#", "a"));
    EXPECT_FALSE(patterns_overlap("org.fedoraproject.*.pagure.issue.new", "io.pagure.#"));
    EXPECT_FALSE(patterns_overlap("org.fedoraproject.*.pagure.issue.*", "io.pagure.prod.pagure.issue.new"));
    EXPECT_FALSE(patterns_overlap("a.*", "a"));
    EXPECT_FALSE(patterns_overlap("a.*.c", "a.b.d"));
}

TEST(RouteWatch, WarnsAboutARouteTheBindingsCannotDeliver) {
    auto cfg = load_listen_config(flr::Config::parse(R"(
routes:
  - name: good
    topic: io.pagure.*.pagure.issue.new
    command: [/bin/true]
  - name: toddlers-mistake
    topic: org.fedoraproject.*.pagure.issue.*
    command: [/bin/true]
amqp:
  url: amqp://localhost/%2F
  queue: q
  bindings: ["io.pagure.prod.pagure.issue.#"]
)"));
    auto warnings = unreachable_routes(cfg);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("route \"toddlers-mistake\" can never fire"), std::string::npos) << warnings[0];
}

TEST(RouteWatch, DerivedBindingsAlwaysDeliver) {
    auto cfg = load_listen_config(flr::Config::parse(R"(
routes:
  - name: r
    topic: org.fedoraproject.*.pagure.issue.*
    command: [/bin/true]
amqp:
  url: amqp://localhost/%2F
  queue: q
)"));
    EXPECT_TRUE(unreachable_routes(cfg).empty());
}

TEST(RouteWatch, CountsMatchesAndTheLastTime) {
    RouteWatch w({"a", "b"});
    w.matched("a", 100);
    w.matched("a", 200);
    EXPECT_EQ(w.routes().at("a").matches, 2u);
    EXPECT_EQ(w.routes().at("a").last, 200);
    EXPECT_EQ(w.routes().at("b").last, 0);
}
