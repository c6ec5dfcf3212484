#include <flr/error.hpp>
#include <flr/secret.hpp>

#include "../test_util.hpp"
#include "core/fs.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace {

std::string write_secret(const flr::test::TempDir& dir, const std::string& name, const std::string& value,
                         mode_t mode) {
    std::string path = dir.file(name);
    std::ofstream(path) << value;
    ::chmod(path.c_str(), mode);
    return path;
}

}  // namespace

TEST(Secret, ReadsAPrivateFileAndStripsTheNewline) {
    flr::test::TempDir dir;
    auto path = write_secret(dir, "token", "s3cr3t\n", 0600);
    auto s = flr::Secret::from_file(path);
    EXPECT_EQ(s.reveal(), "s3cr3t");
    EXPECT_EQ(s.path(), path);
}

TEST(Secret, RefusesGroupOrWorldReadableFiles) {
    flr::test::TempDir dir;
    for (mode_t mode : {0640, 0604, 0660, 0644}) {
        auto path = write_secret(dir, "token", "s3cr3t\n", mode);
        try {
            (void)flr::Secret::from_file(path);
            FAIL() << "accepted mode " << mode;
        } catch (const flr::ConfigError& e) {
            std::string what = e.what();
            EXPECT_NE(what.find("chmod 0600"), std::string::npos) << what;
            EXPECT_EQ(what.find("s3cr3t"), std::string::npos) << "the message leaks the secret";
        }
    }
}

TEST(Secret, RefusesMissingEmptyAndSymlinkedFiles) {
    flr::test::TempDir dir;
    EXPECT_THROW((void)flr::Secret::from_file(dir.file("absent")), flr::ConfigError);
    auto empty = write_secret(dir, "empty", "\n", 0600);
    EXPECT_THROW((void)flr::Secret::from_file(empty), flr::ConfigError);
    auto real = write_secret(dir, "real", "x", 0600);
    ASSERT_EQ(::symlink(real.c_str(), dir.file("link").c_str()), 0);
    EXPECT_THROW((void)flr::Secret::from_file(dir.file("link")), flr::ConfigError);
}

TEST(TempDir, IsPrivateAndRemovedWithItsContent) {
    std::string path;
    {
        flr::fs::TempDir dir("flr-unit");
        path = dir.path();
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0700U);
        EXPECT_NE(path.find("/flr-unit-"), std::string::npos);
        std::ofstream(dir.file("inside")) << "x";
        flr::fs::TempDir moved = std::move(dir);
        EXPECT_EQ(moved.path(), path);
    }
    struct stat st {};
    EXPECT_NE(::stat(path.c_str(), &st), 0);
    EXPECT_THROW(flr::fs::TempDir("x", "/nonexistent-flr-base"), flr::SystemError);
}
