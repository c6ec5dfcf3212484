#include "core/process.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

#include <cerrno>

TEST(Error, ExitCodesFollowTheDocumentedTable) {
    EXPECT_EQ(flr::Error("x").exit_code(), flr::ExitCode::failed);
    EXPECT_EQ(flr::UsageError("x").exit_code(), flr::ExitCode::usage);
    EXPECT_EQ(flr::ConfigError("x").exit_code(), flr::ExitCode::config);
    EXPECT_EQ(flr::RemoteError("pagure", "x", 500).exit_code(), flr::ExitCode::remote);
    EXPECT_EQ(flr::Interrupted().exit_code(), flr::ExitCode::interrupted);
    EXPECT_EQ(static_cast<int>(flr::ExitCode::interrupted), 130);
}

TEST(Error, RemoteErrorNamesTheService) {
    flr::RemoteError e("koji", "fault 1000: no such tag", 200);
    EXPECT_STREQ(e.what(), "koji: fault 1000: no such tag");
    EXPECT_EQ(e.service(), "koji");
    EXPECT_EQ(e.status(), 200);
    EXPECT_STREQ(e.kind(), "remote");
}

TEST(Error, SystemErrorEndsWithStrerror) {
    flr::SystemError e("open /nope", ENOENT);
    EXPECT_STREQ(e.what(), "open /nope: No such file or directory");
    EXPECT_EQ(e.error_number(), ENOENT);
}

TEST(Error, LogicErrorsStayApartFromRuntimeFailures) {
    flr::LogicError e("cannot run an empty command");
    EXPECT_STREQ(e.what(), "cannot run an empty command");
    EXPECT_STREQ(e.kind(), "internal");
    const std::exception& base = e;
    EXPECT_EQ(dynamic_cast<const flr::Error*>(&base), nullptr);
    EXPECT_NE(dynamic_cast<const std::logic_error*>(&base), nullptr);
}

TEST(Error, AnEmptyCommandIsAProgrammingMistake) {
    EXPECT_THROW(flr::process::spawn(flr::process::Spec{}), flr::LogicError);
}
