#include "releng/scm/policy.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

using namespace flr::releng::scm;

TEST(ScmPolicy, Defaults) {
    auto p = Policy::from_config(flr::Config::parse("{}"));
    EXPECT_EQ(p.bot_name, "releng-bot");
    EXPECT_EQ(p.ticket_project, "releng/fedora-scm-requests");
    EXPECT_EQ(p.close_invalid, "Invalid");
    EXPECT_TRUE(p.namespace_allowed("tests"));
    EXPECT_FALSE(p.review_required("flatpaks"));
    EXPECT_TRUE(p.review_required("rpms"));
}

TEST(ScmPolicy, ReleasesAndTheirDates) {
    auto p = Policy::from_config(flr::Config::parse("scm:\n  releases:\n    f44: 2027-05-19\n    f43: 2026-12-09\n"));
    std::int64_t jan2027 = 1'800'000'000;
    EXPECT_TRUE(p.active_release("f44", jan2027));
    EXPECT_FALSE(p.active_release("f43", jan2027));
    EXPECT_FALSE(p.active_release("f45", jan2027));
    EXPECT_TRUE(p.warnings.empty());
}

TEST(ScmPolicy, ImpossibleDatesAreReadLenientlyWithAWarning) {
    auto p = Policy::from_config(flr::Config::parse("scm:\n  releases:\n    f44: 2027-11-31\n"));
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("2027-11-31 is not a date; read as 2027-11-30"), std::string::npos);
    auto d = parse_lenient_date("2027-11-30");
    ASSERT_TRUE(d);
    EXPECT_EQ(p.releases.at("f44").time, d->time);
    EXPECT_TRUE(d->warning.empty());
}

TEST(ScmPolicy, LenientDatesStillRefuseNonsense) {
    EXPECT_FALSE(parse_lenient_date("2027-13-01"));
    EXPECT_FALSE(parse_lenient_date("2027-1-01"));
    EXPECT_FALSE(parse_lenient_date("tomorrow"));
    EXPECT_FALSE(parse_lenient_date("2027-02-00"));
    auto feb = parse_lenient_date("2027-02-30");
    ASSERT_TRUE(feb);
    EXPECT_EQ(feb->time, parse_lenient_date("2027-02-28")->time);
    EXPECT_THROW(Policy::from_config(flr::Config::parse("scm:\n  releases:\n    f44: soon\n")), flr::ConfigError);
}

TEST(ScmPolicy, RefusesBadValues) {
    EXPECT_THROW(Policy::from_config(flr::Config::parse("scm:\n  colour: red\n")), flr::ConfigError);
    EXPECT_THROW(Policy::from_config(flr::Config::parse("scm:\n  namespaces: [rpms, nope]\n")), flr::ConfigError);
    EXPECT_THROW(Policy::from_config(flr::Config::parse("scm:\n  close_statuses: {invalid: Wontfix}\n")),
                 flr::ConfigError);
    EXPECT_THROW(Policy::from_config(flr::Config::parse("scm:\n  releases: {rawhide: 2030-01-01}\n")),
                 flr::ConfigError);
    EXPECT_THROW(Policy::from_config(flr::Config::parse("scm:\n  bot_name: 'Bot Name'\n")), flr::ConfigError);
}

TEST(ScmPolicy, NamespaceMapsFromConfig) {
    auto p = Policy::from_config(flr::Config::parse(
        "scm:\n  namespaces: [rpms]\n  review_components: {rpms: Package Review}\n"
        "  review_products: {rpms: [Fedora]}\n  approvers_group: scm-admins\n  bot_name: scm-bot\n"));
    EXPECT_FALSE(p.namespace_allowed("container"));
    EXPECT_EQ(p.review_products.at("rpms"), std::vector<std::string>{"Fedora"});
    EXPECT_EQ(p.approvers_group, "scm-admins");
    EXPECT_EQ(p.bot_name, "scm-bot");
}
