// The Koji client against the stand-in's XML-RPC hub: encoding, decoding, faults,
// multicall and sslLogin sessions, over real HTTP.
#include "standin.hpp"

#include <flr/config.hpp>
#include <flr/koji.hpp>

#include <gtest/gtest.h>
#include <fstream>
#include "core/fs.hpp"
#include "core/process.hpp"

using flr::test::StandIn;

TEST(Koji, GetsBuildsByNvrAndId) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    auto b = koji->build("bash-5.2.26-3.fc40");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->id, 2421063);
    EXPECT_EQ(b->name, "bash");
    EXPECT_EQ(b->version, "5.2.26");
    EXPECT_EQ(b->release, "3.fc40");
    EXPECT_FALSE(b->epoch);
    EXPECT_EQ(b->state, flr::koji::BuildState::complete);
    EXPECT_EQ(koji->build(std::int64_t{2421063})->nvr, "bash-5.2.26-3.fc40");
    EXPECT_FALSE(koji->build("nope-1-1"));
}

TEST(Koji, LatestAndTaggedBuildsUseKeywordArguments) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    auto latest = koji->latest_builds("f40-updates", "bash");
    ASSERT_EQ(latest.size(), 1U);
    EXPECT_EQ(latest[0].nvr, "bash-5.2.26-4.fc40");
    EXPECT_EQ(latest[0].tag_name, "f40-updates");
    auto all = koji->tagged("f40-updates", {false, false, "bash", ""});
    EXPECT_EQ(all.size(), 2U);
    auto images = koji->latest_builds("f40-updates-candidate", "", "image");
    ASSERT_EQ(images.size(), 1U);
    EXPECT_EQ(images[0].id, 2421062);
}

TEST(Koji, PackageListsShowBlockedEntries) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    auto entries = koji->packages({"f44", "nethack", true, true});
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_TRUE(entries[0].blocked);
    EXPECT_EQ(entries[0].owner_name, "orphan");
    EXPECT_TRUE(koji->packages({"f44", "nethack", true, false}).empty());
    auto tags = koji->tags("nethack");
    EXPECT_GE(tags.size(), 2U);
    auto f44 = koji->tag("f44");
    ASSERT_TRUE(f44);
    EXPECT_EQ(f44->id, 60000);
    EXPECT_FALSE(koji->tag("f99"));
}

TEST(Koji, ArchivesAndRpmsOfAnImage) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    auto archives = koji->archives(2421062, "image");
    ASSERT_EQ(archives.size(), 2U);
    EXPECT_EQ(archives[0].arch, "x86_64");
    auto rpms = koji->image_rpms(8000001);
    ASSERT_EQ(rpms.size(), 2U);
    EXPECT_EQ(rpms[0].name, "bash");
    EXPECT_EQ(koji->build_rpms(2421063).size(), 2U);
}

TEST(Koji, MulticallAnswersInOrder) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    auto many = koji->packages_many({{"f44", "nethack", true, true}, {"f44", "bash", true, true}});
    ASSERT_EQ(many.size(), 2U);
    ASSERT_EQ(many[0].size(), 1U);
    EXPECT_TRUE(many[0][0].blocked);
    ASSERT_EQ(many[1].size(), 1U);
    EXPECT_FALSE(many[1][0].blocked);
    auto rpms = koji->image_rpms_many({8000001, 8000002});
    ASSERT_EQ(rpms.size(), 2U);
    EXPECT_EQ(rpms[1].size(), 1U);
}

// getBuild, getLatestBuilds and listRPMs in bulk are read straight from the hub's XML;
// they give what the single calls (decoded through Value) give.
TEST(Koji, BulkAnswersMatchSingleCalls) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    auto builds = koji->builds_many({2421063, 999999999});
    ASSERT_EQ(builds.size(), 2U);
    ASSERT_TRUE(builds[0]);
    EXPECT_EQ(*builds[0], *koji->build(std::int64_t{2421063}));
    EXPECT_EQ(builds[0]->nvr, "bash-5.2.26-3.fc40");
    EXPECT_FALSE(builds[1]);
    auto latest = koji->latest_builds_many("f40-updates", {"bash", "no-such-package"});
    ASSERT_EQ(latest.size(), 2U);
    ASSERT_EQ(latest[0].size(), 1U);
    EXPECT_EQ(latest[0], koji->latest_builds("f40-updates", "bash"));
    EXPECT_EQ(latest[0][0].nvr, "bash-5.2.26-4.fc40");
    EXPECT_TRUE(latest[1].empty());
    auto rpms = koji->image_rpms_many({8000001});
    ASSERT_EQ(rpms.size(), 1U);
    EXPECT_FALSE(rpms[0].empty());
    EXPECT_EQ(rpms[0], koji->image_rpms(8000001));
}

TEST(Koji, AFaultInsideABulkAnswerIsTyped) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    try {
        koji->latest_builds_many("no-such-tag", {"bash"});
        FAIL() << "no fault";
    } catch (const flr::koji::Fault& f) {
        EXPECT_EQ(f.code(), 1000);
        EXPECT_EQ(f.name(), "GenericError");
    }
}

TEST(Koji, FaultsAreTyped) {
    auto koji = flr::koji::connect(flr::test::shared_standin().config());
    try {
        koji->tagged("no-such-tag", {});
        FAIL() << "no fault";
    } catch (const flr::koji::Fault& f) {
        EXPECT_EQ(f.code(), 1000);
        EXPECT_EQ(f.name(), "GenericError");
        EXPECT_EQ(f.exit_code(), flr::ExitCode::remote);
    }
}

TEST(Koji, UnblockLogsInAndIsJournaled) {
    StandIn s;
    auto koji = flr::koji::connect(s.config());
    koji->unblock("f44", "nethack");
    EXPECT_FALSE(koji->packages({"f44", "nethack", true, true}).at(0).blocked);
    try {
        koji->unblock("f44", "nethack");
        FAIL() << "unblocking twice should fault";
    } catch (const flr::koji::Fault& f) {
        EXPECT_NE(std::string(f.what()).find("NOT blocked"), std::string::npos) << f.what();
        EXPECT_EQ(std::string(f.what()).find("session-key"), std::string::npos);
    }
    auto j = s.journal();
    bool found = false;
    for (const auto& e : j) {
        if (e.value("call", "") == "packageListUnblock" && e["status"] == 200) {
            found = true;
            EXPECT_EQ(e["args"], nlohmann::json({"f44", "nethack"})) << e.dump();
        }
    }
    EXPECT_TRUE(found) << j.dump(2);
}

TEST(Koji, WritesNeedACertificate) {
    auto config = flr::Config::parse("koji: {url: \"" + flr::test::shared_standin().url() + "/kojihub\"}");
    auto koji = flr::koji::connect(config);
    EXPECT_THROW(koji->unblock("f44", "nethack"), flr::ConfigError);
}

TEST(Koji, ReadsAreRetriedButWritesAreNot) {
    StandIn s;
    s.fault({{"fail_next", 2}, {"status", 503}, {"path_prefix", "/kojihub"}});
    auto koji = flr::koji::connect(s.config());
    EXPECT_TRUE(koji->build("bash-5.2.26-3.fc40"));
    s.fault({{"fail_next", 1}, {"status", 503}, {"path_prefix", "/kojihub"}, {"method", "POST"}});
    EXPECT_THROW(koji->unblock("f44", "nethack"), flr::RemoteError);  // the login itself failed
}

namespace {

// A self-signed certificate for 127.0.0.1, made with the real openssl; returns "cert", "key".
std::pair<std::string, std::string> certificate(const flr::test::TempDir& dir, const std::string& name) {
    std::string cert = dir.file(name + ".pem"), key = dir.file(name + ".key");
    flr::process::Spec spec;
    spec.argv = {"openssl", "req", "-x509", "-newkey",     "rsa:2048", "-nodes",
                 "-days",   "2",   "-subj", "/CN=" + name, "-addext",  "subjectAltName=IP:127.0.0.1",
                 "-keyout", key,   "-out",  cert};
    spec.env = flr::process::minimal_env();
    auto r = flr::process::run(spec);
    EXPECT_TRUE(r.ok()) << r.err;
    return {cert, key};
}

}  // namespace

TEST(Koji, SslLoginWithAClientCertificateOverVerifiedTls) {
    flr::test::TempDir certs;
    auto [server_cert, server_key] = certificate(certs, "server");
    auto [client_cert, client_key] = certificate(certs, "client");
    // Koji's client certificate file holds the certificate and its key.
    std::string pem = certs.file("koji.pem");
    std::ofstream(pem) << flr::fs::read_file(client_cert) << flr::fs::read_file(client_key);
    StandIn s(FLR_TEST_DATA_DIR "/standin/services.yaml", {},
              {"--tls-cert", server_cert, "--tls-key", server_key, "--tls-client-ca", client_cert});
    ASSERT_EQ(s.url().rfind("https://", 0), 0u) << s.url();
    auto yaml = [&](const std::string& cert) {
        return flr::Config::parse("http: {timeout: 5, retries: 0}\nkoji: {url: \"" + s.url() + "/kojihub\", ca: \"" +
                                  server_cert + "\"" + (cert.empty() ? "" : ", cert: \"" + cert + "\"") + "}\n");
    };
    auto koji = flr::koji::connect(yaml(pem));
    koji->unblock("f44", "nethack");
    EXPECT_FALSE(koji->packages({"f44", "nethack", true, true}).at(0).blocked);
    // Without a client certificate the server refuses the handshake, even for a read.
    EXPECT_THROW(flr::koji::connect(yaml({}))->build("bash-5.2.26-3.fc40"), flr::RemoteError);
}
