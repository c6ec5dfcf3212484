// The image workflow's rules over in-memory Koji and Bodhi: which package changed, from
// where, by rpm's rules, and the input hash.
#include "releng/image/check.hpp"
#include "releng/image/config.hpp"
#include "releng/image/target.hpp"

#include "../fakes.hpp"
#include "fakes.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

namespace flr::releng::image {
namespace {

using test::kbuild;

constexpr const char* kCandidate = "f41-updates-candidate";
constexpr const char* kUpdates = "f41-updates";

class ImageCheck : public ::testing::Test {
protected:
    test::FakeImages koji;
    test::FakeBodhi bodhi;
    koji::Build bash = kbuild(1, "bash", "5.2.32", "1.fc41");
    koji::Build glibc = kbuild(2, "glibc", "2.40", "3.fc41");
    koji::Build grub = kbuild(3, "syslinux", "6.04", "0.26.fc41");
    koji::Build tool = kbuild(4, "tool", "1.0", "1.fc41");
    koji::Build image_build = kbuild(5000, "Fedora-Container-Base-Generic", "41", "20241101.0");

    void SetUp() override {
        koji.image(kCandidate, image_build, {{"x86_64", {bash, glibc, grub, tool}}, {"aarch64", {bash, glibc, tool}}});
        for (const auto& b : {bash, glibc, grub, tool}) {
            koji.tag(kUpdates, b, 100);
        }
    }

    Verdict verdict() {
        auto image = find_image(koji, kCandidate, "Fedora-Container-Base-Generic");
        EXPECT_TRUE(image);
        return decide(image->sources, candidates(koji, bodhi, *image, kUpdates, "F41"));
    }

    static std::string hash_of(std::vector<std::string> nvrs) { return input_hash(std::move(nvrs)); }
};

TEST_F(ImageCheck, Unchanged) {
    auto v = verdict();
    EXPECT_FALSE(v.changed);
    EXPECT_TRUE(v.changes.empty());
    EXPECT_EQ(v.input_hash, hash_of({tool.nvr, bash.nvr, glibc.nvr, grub.nvr}));
    EXPECT_EQ(v.input_hash.size(), 64U);
}

TEST_F(ImageCheck, SourceBuildsFromTheRpmsBuildIds) {
    auto image = find_image(koji, kCandidate, "Fedora-Container-Base-Generic");
    ASSERT_TRUE(image);
    ASSERT_EQ(image->sources.size(), 4U);  // bash and bash-libs are one source build
    EXPECT_EQ(image->sources[0].name, "bash");
    EXPECT_EQ(image->sources[0].arches, (std::vector<std::string>{"aarch64", "x86_64"}));
    EXPECT_EQ(image->sources[1].name, "glibc");
    EXPECT_EQ(image->sources[2].name, "syslinux");
    EXPECT_EQ(image->sources[2].arches, (std::vector<std::string>{"x86_64"}));
    // One bulk query each for the RPM lists and the builds.
    EXPECT_EQ(std::count(koji.calls.begin(), koji.calls.end(), "archive_rpms 2"), 1);
    EXPECT_EQ(std::count(koji.calls.begin(), koji.calls.end(), "builds 4"), 1);
}

TEST_F(ImageCheck, OnePackageUpdatedInTheUpdatesTag) {
    koji.tag(kUpdates, kbuild(11, "bash", "5.2.37", "1.fc41"), 4242);
    auto v = verdict();
    ASSERT_TRUE(v.changed);
    ASSERT_EQ(v.changes.size(), 1U);
    EXPECT_EQ(v.changes[0].package, "bash");
    EXPECT_EQ(v.changes[0].image_nvr, "bash-5.2.32-1.fc41");
    EXPECT_EQ(v.changes[0].newer_nvr, "bash-5.2.37-1.fc41");
    EXPECT_EQ(v.changes[0].origin.tag, kUpdates);
    EXPECT_EQ(v.changes[0].origin.event, 4242);
    EXPECT_EQ(v.changes[0].origin.str(), "f41-updates (event 4242)");
    EXPECT_EQ(v.input_hash, hash_of({"bash-5.2.37-1.fc41", glibc.nvr, grub.nvr, tool.nvr}));
    // One bulk query for every package, not one per package.
    EXPECT_EQ(std::count(koji.calls.begin(), koji.calls.end(), "latest_many f41-updates 4"), 1);
}

TEST_F(ImageCheck, AnUpdateOnlyThroughBodhi) {
    bodhi::Update old{"FEDORA-2024-0000000001",       "stable", "F41", "2024-02-28 09:00:00", "", 0,
                      {{"tool-1.1-1.fc41", "rpm", 0}}};
    bodhi::Update fresh{"FEDORA-2024-0123456789",
                        "stable",
                        "F41",
                        "2024-03-05 12:00:00",
                        "",
                        0,
                        {{"tool-1.2-1.fc41", "rpm", 0}, {"unrelated-1-1.fc41", "rpm", 0}}};
    bodhi.updates = {old, fresh};
    auto v = verdict();
    ASSERT_TRUE(v.changed);
    ASSERT_EQ(v.changes.size(), 1U);
    EXPECT_EQ(v.changes[0].package, "tool");
    EXPECT_EQ(v.changes[0].newer_nvr, "tool-1.2-1.fc41");
    EXPECT_EQ(v.changes[0].origin.update, "FEDORA-2024-0123456789");
    EXPECT_EQ(bodhi.asked, (std::vector<std::string>{"F41 2024-03-01T10:00:00"}));
}

TEST_F(ImageCheck, NewerBuildThatIsOlderByRpmRules) {
    koji.tag(kUpdates, kbuild(12, "bash", "5.2.32~rc1", "1.fc41"), 200);  // tilde: before 5.2.32
    auto v = verdict();
    EXPECT_FALSE(v.changed);
    EXPECT_EQ(v.input_hash, hash_of({bash.nvr, glibc.nvr, grub.nvr, tool.nvr}));
}

TEST_F(ImageCheck, EpochBumpWins) {
    koji.tag(kUpdates, kbuild(13, "glibc", "2.39", "1.fc41", 1), 201);
    auto v = verdict();
    ASSERT_EQ(v.changes.size(), 1U);
    EXPECT_EQ(v.changes[0].newer_nvr, "glibc-2.39-1.fc41");
}

TEST_F(ImageCheck, CaretSnapshotSortsAfterItsRelease) {
    koji.tag(kUpdates, kbuild(14, "tool", "1.0^20241105git1", "1.fc41"), 202);
    auto v = verdict();
    ASSERT_EQ(v.changes.size(), 1U);
    EXPECT_EQ(v.changes[0].newer_nvr, "tool-1.0^20241105git1-1.fc41");
}

TEST_F(ImageCheck, PackageRemovedFromTheTag) {
    koji.untag(kUpdates, bash.nvr);
    auto v = verdict();
    EXPECT_FALSE(v.changed);
    EXPECT_EQ(v.input_hash, hash_of({bash.nvr, glibc.nvr, grub.nvr, tool.nvr}));
}

TEST_F(ImageCheck, MultiArchImageWithAPackageInOneArchOnly) {
    koji.tag(kUpdates, kbuild(15, "syslinux", "6.04", "0.27.fc41"), 203);
    auto v = verdict();
    ASSERT_EQ(v.changes.size(), 1U);
    EXPECT_EQ(v.changes[0].package, "syslinux");
}

TEST_F(ImageCheck, NewestOfSeveralCandidates) {
    koji.tag(kUpdates, kbuild(16, "bash", "5.2.33", "1.fc41"), 300);
    bodhi.updates = {
        {"FEDORA-2024-1", "stable", "F41", "2024-03-05 12:00:00", "", 0, {{"bash-5.2.40-1.fc41", "rpm", 0}}}};
    auto v = verdict();
    ASSERT_EQ(v.changes.size(), 1U);
    EXPECT_EQ(v.changes[0].newer_nvr, "bash-5.2.40-1.fc41");
    EXPECT_EQ(v.changes[0].origin.update, "FEDORA-2024-1");
}

TEST_F(ImageCheck, UnknownSourceBuildIsARemoteError) {
    koji.builds_by_id.erase(2);
    EXPECT_THROW((void)find_image(koji, kCandidate, "Fedora-Container-Base-Generic"), RemoteError);
}

TEST_F(ImageCheck, NoImageBuild) {
    EXPECT_FALSE(find_image(koji, "f40-updates-candidate", "Fedora-Container-Base-Generic"));
}

TEST(ImageTarget, ReleasesFromBodhi) {
    test::FakeBodhi bodhi;
    auto r = releases_from(bodhi.known);
    EXPECT_EQ(r.stable, 41);
    EXPECT_EQ(r.rawhide, 42);
    WorkflowSettings w;
    w.stable = 40;
    auto over = current_releases(bodhi, w);
    EXPECT_EQ(over.stable, 40);
    EXPECT_EQ(over.rawhide, 42);
}

TEST(ImageTarget, RawhideHasItsOwnTags) {
    WorkflowSettings w;
    auto t = target(w, 41, Releases{41, 42});
    EXPECT_FALSE(t.rawhide);
    EXPECT_EQ(t.candidate_tag, "f41-updates-candidate");
    EXPECT_EQ(t.updates_tag, "f41-updates");
    EXPECT_EQ(t.bodhi_release, "F41");
    auto raw = target(w, 42, Releases{41, 42});
    EXPECT_TRUE(raw.rawhide);
    EXPECT_EQ(raw.candidate_tag, "f42");
    EXPECT_EQ(raw.updates_tag, "f42");
}

TEST(ImageConfig, PerReleaseOverrides) {
    auto c = Config::parse(R"(
image:
  candidate_tag: "f{N}-image-candidate"
  stable: 41
  images:
    fedora:
      package: Fedora-Container-Base-Generic
      target: "f{N}-kiwi"
      profile: Container-Base-Generic
      arches: [x86_64, aarch64]
      releases:
        "40": {package: Fedora-Container-Base, arches: [x86_64]}
)");
    auto w = workflow_settings(c);
    EXPECT_EQ(w.candidate_tag, "f{N}-image-candidate");
    EXPECT_EQ(w.stable, 41);
    EXPECT_EQ(w.state_dir, "/var/lib/flr");
    auto f41 = image_settings(c, "fedora", 41);
    EXPECT_EQ(f41.package, "Fedora-Container-Base-Generic");
    EXPECT_EQ(f41.repository, "fedora");
    EXPECT_EQ(f41.arches, (std::vector<std::string>{"x86_64", "aarch64"}));
    auto f40 = image_settings(c, "fedora", 40);
    EXPECT_EQ(f40.package, "Fedora-Container-Base");
    EXPECT_EQ(f40.arches, (std::vector<std::string>{"x86_64"}));
    EXPECT_EQ(f40.profile, "Container-Base-Generic");
    EXPECT_EQ(expand(f41.target, 41), "f41-kiwi");
    EXPECT_THROW(image_settings(c, "fedora-minimal", 41), UsageError);
    EXPECT_THROW(workflow_settings(Config::parse("image: {registries: [a], colour: red}")), ConfigError);
    EXPECT_THROW(workflow_settings(Config::parse("image: {stable: 0}")), ConfigError);
}

TEST(ImageTime, KojiTimeAsBodhiTime) {
    EXPECT_EQ(bodhi_time("2024-03-01 10:00:00.123456+00:00"), "2024-03-01T10:00:00");
    EXPECT_EQ(bodhi_time("2024-03-01 10:00:00+00:00"), "2024-03-01T10:00:00");
    EXPECT_EQ(bodhi_time("yesterday"), "");
}

}  // namespace
}  // namespace flr::releng::image
