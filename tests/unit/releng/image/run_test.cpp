// flr-image-rebuild's refusal by input hash and flr-image-release's push, its "nothing
// built" case and its finish after an interruption, over in-memory services.
#include "releng/image/run.hpp"
#include "releng/image/state.hpp"

#include "../../test_util.hpp"
#include "../fakes.hpp"
#include "fakes.hpp"

#include <flr/error.hpp>

#include <gtest/gtest.h>

namespace flr::releng::image {
namespace {

using test::kbuild;

class ImageRun : public ::testing::Test {
protected:
    test::FakeImages koji;
    test::FakeBodhi bodhi;
    test::FixedClock clock;
    test::FakePublisher publish;
    test::TempDir dir;
    Ports ports;
    Job job;
    koji::Build bash = kbuild(1, "bash", "5.2.32", "1.fc41");

    void SetUp() override {
        ports.images = &koji;
        ports.updates = &bodhi;
        ports.clock = &clock;
        job.settings.state_dir = dir.file("state");
        job.settings.registry.registries = {"registry.example.org", "quay.example.org/fedora"};
        job.image.name = "fedora";
        job.image.repository = "fedora";
        job.image.package = "Fedora-Container-Base-Generic";
        job.image.target = "f{N}-kiwi";
        job.image.description_url = "git+https://pagure.io/fedora-kiwi-descriptions.git#main";
        job.image.description_path = "teams/oci/container.kiwi";
        job.image.profile = "Container-Base-Generic";
        job.image.arches = {"x86_64", "aarch64"};
        job.release = 41;
        add_image(5000, "20241101.0");
        koji.tag("f41-updates", bash, 100);
    }

    void add_image(std::int64_t id, const std::string& release) {
        koji.image("f41-updates-candidate", kbuild(id, "Fedora-Container-Base-Generic", "41", release),
                   {{"x86_64", {bash}}, {"aarch64", {bash}}});
    }

    RebuildReport rebuild() { return run_rebuild(ports, job); }
    ReleaseReport release() { return run_release(ports, publish, job, dir.file("scratch")); }
    std::string rebuild_state() const { return state_path(job.settings.state_dir, "fedora", 41, "rebuild"); }
    std::string release_state() const { return state_path(job.settings.state_dir, "fedora", 41, "release"); }
};

TEST_F(ImageRun, UnchangedImageIsNotRebuilt) {
    auto r = rebuild();
    EXPECT_FALSE(r.failure);
    EXPECT_FALSE(r.submitted);
    EXPECT_EQ(r.steps[0].status, StepStatus::already);
    EXPECT_TRUE(koji.submitted.empty());
}

TEST_F(ImageRun, ChangedImageIsSubmittedOnceForItsInputHash) {
    koji.tag("f41-updates", kbuild(2, "bash", "5.2.37", "1.fc41"), 101);
    auto first = rebuild();
    ASSERT_FALSE(first.failure);
    ASSERT_TRUE(first.submitted);
    ASSERT_EQ(koji.submitted.size(), 1U);
    EXPECT_EQ(koji.submitted[0].target, "f41-kiwi");
    EXPECT_EQ(koji.submitted[0].profile, "Container-Base-Generic");
    EXPECT_EQ(koji.submitted[0].arches, job.image.arches);
    auto state = read_rebuild_state(rebuild_state());
    ASSERT_TRUE(state);
    EXPECT_EQ(state->task_id, first.task_id);
    EXPECT_EQ(state->input_hash, first.check.verdict.input_hash);

    // A storm of messages: the task is still running with the same input hash.
    auto second = rebuild();
    EXPECT_FALSE(second.submitted);
    EXPECT_EQ(second.steps[0].status, StepStatus::already);
    EXPECT_NE(second.steps[0].detail.find("(open) already has input hash"), std::string::npos);
    EXPECT_EQ(koji.submitted.size(), 1U);

    // A failed task does not hold the hash.
    koji.tasks[first.task_id].state = koji::TaskState::failed;
    auto third = rebuild();
    EXPECT_TRUE(third.submitted);
    EXPECT_EQ(koji.submitted.size(), 2U);

    // Another change means another hash: submitted even while the last task runs.
    koji.tag("f41-updates", kbuild(3, "bash", "5.2.38", "1.fc41"), 102);
    auto fourth = rebuild();
    EXPECT_TRUE(fourth.submitted);
    EXPECT_NE(fourth.check.verdict.input_hash, third.check.verdict.input_hash);
}

TEST_F(ImageRun, DryRunSubmitsNothingAndRecordsNothing) {
    koji.tag("f41-updates", kbuild(2, "bash", "5.2.37", "1.fc41"), 101);
    job.dry_run = true;
    auto r = rebuild();
    EXPECT_EQ(r.steps[0].status, StepStatus::would);
    EXPECT_TRUE(koji.submitted.empty());
    EXPECT_FALSE(read_rebuild_state(rebuild_state()));
}

TEST_F(ImageRun, RebuildNeedsTheKiwiSettings) {
    koji.tag("f41-updates", kbuild(2, "bash", "5.2.37", "1.fc41"), 101);
    job.image.description_url.clear();
    auto r = rebuild();
    ASSERT_TRUE(r.failure);
    EXPECT_THROW(std::rethrow_exception(r.failure), ConfigError);
}

TEST_F(ImageRun, ReleasePushesEveryArchThenTheIndexAndRecords) {
    auto r = release();
    ASSERT_FALSE(r.failure) << r.failed_detail();
    EXPECT_TRUE(r.due);
    EXPECT_EQ(r.tags, (std::vector<std::string>{"41", "latest"}));  // Bodhi: 41 is the current stable
    for (const auto* reg : {"registry.example.org/fedora", "quay.example.org/fedora/fedora"}) {
        EXPECT_TRUE(publish.registry.count(std::string(reg) + ":41-x86_64")) << reg;
        EXPECT_TRUE(publish.registry.count(std::string(reg) + ":41-aarch64")) << reg;
        EXPECT_EQ(publish.registry[std::string(reg) + ":41"],
                  "aarch64=" + std::string(reg) + ":41-aarch64 x86_64=" + std::string(reg) + ":41-x86_64 ");
        EXPECT_TRUE(publish.registry.count(std::string(reg) + ":latest"));
    }
    // The fake lists the archives by arch name: aarch64 first.
    EXPECT_EQ(publish.log[0],
              "get https://kojipkgs.example.org/packages/Fedora-Container-Base-Generic/41/20241101.0/"
              "images/Fedora-Container-Base-Generic.aarch64-41-20241101.0.oci.tar.xz " +
                  dir.file("scratch") + "/aarch64.tar.xz");
    auto state = read_release_state(release_state());
    ASSERT_TRUE(state);
    EXPECT_EQ(state->build_id, 5000);
    EXPECT_EQ(state->released_at, "2027-01-15T08:00:00+00:00");
}

TEST_F(ImageRun, NothingBuiltSinceTheLastReleasePushesNothing) {
    ASSERT_FALSE(release().failure);
    publish.log.clear();
    auto again = release();
    EXPECT_FALSE(again.due);
    EXPECT_TRUE(again.steps.empty());
    EXPECT_TRUE(publish.log.empty());
    EXPECT_NE(release_text(again).find("nothing built since Fedora-Container-Base-Generic-41-20241101.0"),
              std::string::npos);

    add_image(5001, "20241108.0");
    auto next = release();
    EXPECT_TRUE(next.due);
    EXPECT_EQ(read_release_state(release_state())->build_id, 5001);
}

TEST_F(ImageRun, RawhideGetsItsTagAndNoLatest) {
    job.release = 42;
    koji.image("f42", kbuild(6000, "Fedora-Container-Base-Generic", "42", "20241101.n.0"), {{"x86_64", {bash}}});
    auto r = release();
    ASSERT_FALSE(r.failure) << r.failed_detail();
    EXPECT_EQ(r.tags, (std::vector<std::string>{"42", "rawhide"}));
    EXPECT_TRUE(publish.registry.count("registry.example.org/fedora:rawhide"));
    EXPECT_FALSE(publish.registry.count("registry.example.org/fedora:latest"));
}

TEST_F(ImageRun, InterruptedReleaseLeavesStateAndARerunFinishes) {
    publish.fail_on = "registry.example.org/fedora:41-x86_64";  // the second arch
    publish.failures = 1;
    auto broken = release();
    ASSERT_TRUE(broken.failure);
    EXPECT_EQ(broken.failed_step, "x86_64");
    EXPECT_TRUE(publish.registry.count("registry.example.org/fedora:41-aarch64"));
    EXPECT_FALSE(read_release_state(release_state()));
    EXPECT_FALSE(publish.registry.count("registry.example.org/fedora:41"));

    auto rerun = release();
    ASSERT_FALSE(rerun.failure) << rerun.failed_detail();
    EXPECT_TRUE(publish.registry.count("registry.example.org/fedora:41"));
    EXPECT_EQ(read_release_state(release_state())->build_id, 5000);
}

TEST_F(ImageRun, IndexFailureOnOneRegistryRecordsNothing) {
    publish.fail_on = "quay.example.org/fedora/fedora:41";
    publish.failures = 1;
    auto r = release();
    ASSERT_TRUE(r.failure);
    EXPECT_TRUE(publish.registry.count("registry.example.org/fedora:41"));
    EXPECT_FALSE(read_release_state(release_state()));
}

TEST_F(ImageRun, MalformedArchFromKojiIsRefused) {
    koji.archives[5000][0].arch = "../x";
    EXPECT_THROW(release(), RemoteError);
    EXPECT_TRUE(publish.log.empty());
}

TEST_F(ImageRun, ReleaseDryRunPushesNothing) {
    job.dry_run = true;
    auto r = release();
    EXPECT_FALSE(r.failure);
    EXPECT_TRUE(publish.log.empty());
    EXPECT_FALSE(read_release_state(release_state()));
}

TEST_F(ImageRun, NoImageBuildAtAll) {
    job.release = 40;
    auto r = release();
    EXPECT_FALSE(r.due);
    EXPECT_TRUE(r.build_nvr.empty());
    EXPECT_NE(release_text(r).find("nothing to release"), std::string::npos);
}

TEST(ImageState, Decoders) {
    std::string hash(64, 'a');
    auto ok = rebuild_state_from_json(R"({"task_id": 5, "input_hash": ")" + hash + R"(", "submitted_at": "x"})");
    ASSERT_TRUE(ok) << ok.error();
    EXPECT_EQ(ok->task_id, 5);
    EXPECT_FALSE(rebuild_state_from_json("[]"));
    EXPECT_FALSE(rebuild_state_from_json(R"({"task_id": 0, "input_hash": ")" + hash + "\"}"));
    EXPECT_FALSE(rebuild_state_from_json(R"({"task_id": 5, "input_hash": "abc"})"));
    EXPECT_FALSE(release_state_from_json(R"({"build_id": "5", "nvr": "x"})"));
    EXPECT_FALSE(release_state_from_json(R"({"build_id": 5})"));
    auto rel = release_state_from_json(to_json(ReleaseState{7, "a-1-1", "t"}));
    ASSERT_TRUE(rel);
    EXPECT_EQ(rel->nvr, "a-1-1");
}

TEST(ImageState, MalformedFileIsAConfigError) {
    test::TempDir dir;
    std::string path = dir.file("image/x-41.release.json");
    write_state(path, "{oops");
    EXPECT_THROW((void)read_release_state(path), ConfigError);
}

}  // namespace
}  // namespace flr::releng::image
