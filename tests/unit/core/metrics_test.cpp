#include "core/metrics.hpp"

#include <flr/error.hpp>

#include "../test_util.hpp"
#include "core/fs.hpp"

#include <gtest/gtest.h>

using namespace flr::metrics;

TEST(Metrics, CountersAndGaugesRenderInTheTextFormat) {
    Registry r;
    r.counter("flr_messages_received_total", "Messages received.").inc(3);
    r.counter("flr_jobs_total", "Jobs by route and result.", {{"route", "a"}, {"result", "ok"}}).inc();
    r.counter("flr_jobs_total", "Jobs by route and result.", {{"route", "a"}, {"result", "ok"}}).inc();
    r.gauge("flr_in_flight", "Jobs running.").set(2);
    EXPECT_EQ(r.render(),
              "# HELP flr_in_flight Jobs running.\n"
              "# TYPE flr_in_flight gauge\n"
              "flr_in_flight 2\n"
              "# HELP flr_jobs_total Jobs by route and result.\n"
              "# TYPE flr_jobs_total counter\n"
              "flr_jobs_total{route=\"a\",result=\"ok\"} 2\n"
              "# HELP flr_messages_received_total Messages received.\n"
              "# TYPE flr_messages_received_total counter\n"
              "flr_messages_received_total 3\n");
}

TEST(Metrics, HistogramBucketsAreCumulative) {
    Registry r;
    auto& h = r.histogram("flr_action_duration_seconds", "Action durations.", {0.1, 1, 10});
    h.observe(0.05);
    h.observe(0.5);
    h.observe(0.7);
    h.observe(100);
    EXPECT_EQ(r.render(),
              "# HELP flr_action_duration_seconds Action durations.\n"
              "# TYPE flr_action_duration_seconds histogram\n"
              "flr_action_duration_seconds_bucket{le=\"0.1\"} 1\n"
              "flr_action_duration_seconds_bucket{le=\"1\"} 3\n"
              "flr_action_duration_seconds_bucket{le=\"10\"} 3\n"
              "flr_action_duration_seconds_bucket{le=\"+Inf\"} 4\n"
              "flr_action_duration_seconds_sum 101.25\n"
              "flr_action_duration_seconds_count 4\n");
}

TEST(Metrics, LabelValuesAreEscaped) {
    EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    Registry r;
    r.counter("x_total", "X.", {{"route", "we\"ird"}}).inc();
    EXPECT_NE(r.render().find("x_total{route=\"we\\\"ird\"} 1"), std::string::npos);
}

TEST(Metrics, BadNamesAndTypeClashesAreRefused) {
    Registry r;
    EXPECT_THROW(r.counter("bad-name", "x"), flr::Error);
    EXPECT_THROW(r.counter("ok", "x", {{"bad label", "v"}}), flr::Error);
    r.counter("same", "x");
    EXPECT_THROW(r.gauge("same", "x"), flr::Error);
}

TEST(Metrics, TextfileIsReplacedAtomically) {
    flr::test::TempDir dir;
    Registry r;
    r.counter("a_total", "A.").inc();
    r.write_textfile(dir.file("flr.prom"));
    EXPECT_EQ(flr::fs::read_file(dir.file("flr.prom")), r.render());
    r.counter("a_total", "A.").inc();
    r.write_textfile(dir.file("flr.prom"));
    EXPECT_NE(flr::fs::read_file(dir.file("flr.prom")).find("a_total 2"), std::string::npos);
    // No temporary files are left behind.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}
