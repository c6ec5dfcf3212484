// The version comparison against rpm's own oracle: the RPMVERCMP(a, b, expected) cases of
// rpm's tests/rpmvercmp.at (rpm 4.19), then epochs and releases as Koji gives them.
#include "releng/rpmver.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace flr::releng {
namespace {

int sign(int v) {
    return (v > 0) - (v < 0);
}

int vercmp(const char* a, const char* b) {
    return sign(compare_evr(Evr{std::nullopt, a, ""}, Evr{std::nullopt, b, ""}));
}

using Case = std::tuple<const char*, const char*, int>;

const std::vector<Case> oracle = {
    {"1.0", "1.0", 0},
    {"1.0", "2.0", -1},
    {"2.0", "1.0", 1},
    {"2.0.1", "2.0.1", 0},
    {"2.0", "2.0.1", -1},
    {"2.0.1", "2.0", 1},
    {"2.0.1a", "2.0.1a", 0},
    {"2.0.1a", "2.0.1", 1},
    {"2.0.1", "2.0.1a", -1},
    {"5.5p1", "5.5p1", 0},
    {"5.5p1", "5.5p2", -1},
    {"5.5p2", "5.5p1", 1},
    {"5.5p10", "5.5p10", 0},
    {"5.5p1", "5.5p10", -1},
    {"5.5p10", "5.5p1", 1},
    {"10xyz", "10.1xyz", -1},
    {"10.1xyz", "10xyz", 1},
    {"xyz10", "xyz10", 0},
    {"xyz10", "xyz10.1", -1},
    {"xyz10.1", "xyz10", 1},
    {"xyz.4", "xyz.4", 0},
    {"xyz.4", "8", -1},
    {"8", "xyz.4", 1},
    {"xyz.4", "2", -1},
    {"2", "xyz.4", 1},
    {"5.5p2", "5.6p1", -1},
    {"5.6p1", "5.5p2", 1},
    {"5.6p1", "6.5p1", -1},
    {"6.5p1", "5.6p1", 1},
    {"6.0.rc1", "6.0", 1},
    {"6.0", "6.0.rc1", -1},
    {"10b2", "10a1", 1},
    {"10a2", "10b2", -1},
    {"1.0aa", "1.0aa", 0},
    {"1.0a", "1.0aa", -1},
    {"1.0aa", "1.0a", 1},
    {"10.0001", "10.0001", 0},
    {"10.0001", "10.1", 0},
    {"10.1", "10.0001", 0},
    {"10.0001", "10.0039", -1},
    {"10.0039", "10.0001", 1},
    {"4.999.9", "5.0", -1},
    {"5.0", "4.999.9", 1},
    {"20101121", "20101121", 0},
    {"20101121", "20101122", -1},
    {"20101122", "20101121", 1},
    {"2_0", "2_0", 0},
    {"2.0", "2_0", 0},
    {"2_0", "2.0", 0},
    {"a", "a", 0},
    {"a+", "a+", 0},
    {"a+", "a_", 0},
    {"a_", "a+", 0},
    {"+a", "+a", 0},
    {"+a", "_a", 0},
    {"_a", "+a", 0},
    {"+_", "+_", 0},
    {"_+", "+_", 0},
    {"_+", "_+", 0},
    {"+", "_", 0},
    {"_", "+", 0},
    {"1.0~rc1", "1.0~rc1", 0},
    {"1.0~rc1", "1.0", -1},
    {"1.0", "1.0~rc1", 1},
    {"1.0~rc1", "1.0~rc2", -1},
    {"1.0~rc2", "1.0~rc1", 1},
    {"1.0~rc1~git123", "1.0~rc1~git123", 0},
    {"1.0~rc1~git123", "1.0~rc1", -1},
    {"1.0~rc1", "1.0~rc1~git123", 1},
    {"1.0^", "1.0^", 0},
    {"1.0^", "1.0", 1},
    {"1.0", "1.0^", -1},
    {"1.0^git1", "1.0^git1", 0},
    {"1.0^git1", "1.0", 1},
    {"1.0", "1.0^git1", -1},
    {"1.0^git1", "1.0^git2", -1},
    {"1.0^git2", "1.0^git1", 1},
    {"1.0^git1", "1.01", -1},
    {"1.01", "1.0^git1", 1},
    {"1.0^20160101", "1.0^20160101", 0},
    {"1.0^20160101", "1.0.1", -1},
    {"1.0.1", "1.0^20160101", 1},
    {"1.0^20160101^git1", "1.0^20160101^git1", 0},
    {"1.0^20160102", "1.0^20160101^git1", 1},
    {"1.0^20160101^git1", "1.0^20160102", -1},
    {"1.0~rc1^git1", "1.0~rc1^git1", 0},
    {"1.0~rc1^git1", "1.0~rc1", 1},
    {"1.0~rc1", "1.0~rc1^git1", -1},
    {"1.0^git1~pre", "1.0^git1~pre", 0},
    {"1.0^git1", "1.0^git1~pre", 1},
    {"1.0^git1~pre", "1.0^git1", -1},
};

TEST(RpmVer, OracleCases) {
    for (const auto& [a, b, expected] : oracle) {
        EXPECT_EQ(vercmp(a, b), expected) << "rpmvercmp(" << a << ", " << b << ")";
    }
}

TEST(RpmVer, NoEpochIsEpochZero) {
    EXPECT_EQ(compare_evr({std::nullopt, "1.0", "1.fc41"}, {0, "1.0", "1.fc41"}), 0);
    EXPECT_GT(compare_evr({1, "0.9", "1.fc41"}, {std::nullopt, "1.0", "1.fc41"}), 0);
    EXPECT_LT(compare_evr({std::nullopt, "9.9", "1.fc41"}, {1, "0.1", "1.fc41"}), 0);
}

TEST(RpmVer, ReleaseDecidesAfterVersion) {
    EXPECT_GT(compare_evr({std::nullopt, "1.0", "2.fc41"}, {std::nullopt, "1.0", "1.fc41"}), 0);
    EXPECT_LT(compare_evr({std::nullopt, "1.0", "1.fc41"}, {std::nullopt, "1.0", "1.fc41.1"}), 0);
    // A tilde release candidate after the final version is older.
    EXPECT_LT(compare_evr({std::nullopt, "1.0~rc1", "1.fc41"}, {std::nullopt, "1.0", "1.fc41"}), 0);
}

TEST(RpmVer, EmptyVersionSortsFirst) {
    EXPECT_LT(compare_evr({std::nullopt, "", ""}, {std::nullopt, "0", ""}), 0);
    EXPECT_EQ(compare_evr({std::nullopt, "", ""}, {std::nullopt, "", ""}), 0);
}

TEST(RpmVer, SplitNvr) {
    auto n = split_nvr("python-specfile-0.31.0-1.fc40");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->name, "python-specfile");
    EXPECT_EQ(n->evr.version, "0.31.0");
    EXPECT_EQ(n->evr.release, "1.fc40");
    EXPECT_FALSE(split_nvr("bash-5.2"));
    EXPECT_FALSE(split_nvr("-1-2"));
    EXPECT_FALSE(split_nvr("a--2"));
    EXPECT_FALSE(split_nvr("a-1-"));
    EXPECT_EQ((Evr{2, "1.0", "3"}.str()), "2:1.0-3");
}

}  // namespace
}  // namespace flr::releng
