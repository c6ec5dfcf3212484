#include "releng/names.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

using namespace flr::releng;

TEST(RelengNames, ValidatesNames) {
    EXPECT_TRUE(valid_package_name("python-foo_bar.baz+2"));
    EXPECT_TRUE(valid_package_name("_x"));
    EXPECT_FALSE(valid_package_name("-x"));
    EXPECT_FALSE(valid_package_name(".."));
    EXPECT_FALSE(valid_package_name("a b"));
    EXPECT_FALSE(valid_package_name(""));
    for (const char* b : {"rawhide", "f44", "epel9", "epel10.1", "epel9-next"}) {
        EXPECT_TRUE(valid_branch(b)) << b;
    }
    for (const char* b : {"main", "f", "F44", "f44 ", "epel", "rawhide\n", "f0"}) {
        EXPECT_FALSE(valid_branch(b)) << b;
    }
    EXPECT_TRUE(valid_namespace("rpms"));
    EXPECT_FALSE(valid_namespace("rpms/x"));
    EXPECT_FALSE(valid_user_name("Bob"));
    EXPECT_TRUE(valid_user_name("bob-2"));
}

TEST(RelengNames, ChecksGiveTheProblemAsAValue) {
    EXPECT_TRUE(check_package_name("nethack").ok());
    auto bad = check_branch("main");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), "invalid branch \"main\"");
    EXPECT_EQ(check_namespace("rpms/x").error(), "invalid namespace \"rpms/x\"");
    EXPECT_EQ(check_user_name("Bob").error(), "invalid user name \"Bob\"");
    // A long value is cut in the message, so that a report line stays short.
    EXPECT_LT(check_package_name(std::string(300, 'a')).error().size(), 120u);
}

TEST(RelengNames, ProblemsBecomeFlrErrorsAtTheBoundary) {
    auto bad = check_package_name("-x");
    EXPECT_THROW((void)bad.value_or_throw<flr::UsageError>(), flr::UsageError);
    try {
        (void)bad.value_or_throw<flr::UsageError>();
    } catch (const flr::Error& e) {
        EXPECT_EQ(e.exit_code(), flr::ExitCode::usage);
        EXPECT_STREQ(e.what(), "invalid package name \"-x\"");
    }
}
