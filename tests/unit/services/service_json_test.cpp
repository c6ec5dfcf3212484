// JSON answers of Pagure, Bugzilla and Bodhi (real samples), and the HTTP layer's
// error-message extraction.
#include "core/fs.hpp"
#include "core/http.hpp"
#include "core/text.hpp"
#include "services/bodhi_decode.hpp"
#include "services/bugzilla_decode.hpp"
#include "services/pagure_json.hpp"
#include "services/rest.hpp"

#include <gtest/gtest.h>

namespace {
nlohmann::json sample(const std::string& name) {
    return nlohmann::json::parse(flr::fs::read_file(FLR_TEST_DATA_DIR "/apis/" + name + ".json"));
}
}  // namespace

TEST(PagureJson, ReadsTheRealSamples) {
    auto issue = flr::pagure::issue_from_json(sample("pagure_issue")["response_200"]);
    EXPECT_EQ(issue.id, 1);
    EXPECT_EQ(issue.user.name, "pingou");
    EXPECT_EQ(issue.date_created, 1431414800);
    EXPECT_FALSE(issue.assignee);
    auto page = flr::pagure::issue_page_from_json(sample("pagure_issues_list")["response_200"]);
    ASSERT_EQ(page.issues.size(), 1U);
    EXPECT_FALSE(page.more);
    EXPECT_EQ(page.issues[0].title, "New Branch \"f40\" for \"rpms/nethack\"");
    auto project = flr::pagure::project_from_json(sample("pagure_project")["response_200"]);
    EXPECT_EQ(project.fullname, "rpms/nethack");
    EXPECT_EQ(project.main_admin(), "lmacken");
    auto b = flr::pagure::branches_from_json(sample("pagure_git_branches")["response_200"]);
    EXPECT_EQ(b.names, (std::vector<std::string>{"main", "dev"}));
    EXPECT_EQ(b.default_branch, "main");
    auto bc = flr::pagure::branches_from_json(sample("pagure_git_branches")["response_200_with_commits"]);
    EXPECT_EQ(bc.names.size(), 2U);
    EXPECT_EQ(bc.default_branch, "main");
}

TEST(PagureJson, RefusesWrongShapes) {
    using J = nlohmann::json;
    EXPECT_THROW(flr::pagure::issue_from_json(J::array()), flr::services::Shape);
    EXPECT_THROW(flr::pagure::issue_from_json(J{{"id", "x1"}}), flr::services::Shape);
    EXPECT_THROW(flr::pagure::issue_from_json(J{{"tags", "a"}}), flr::services::Shape);
    EXPECT_THROW(flr::pagure::issue_page_from_json(J{{"issues", {1}}}), flr::services::Shape);
}

TEST(RestJson, ReadsBugzillaAndBodhiSamples) {
    auto bug = flr::bugzilla::bug_from_json(sample("bugzilla_bug")["response_200"]);
    ASSERT_TRUE(bug);
    EXPECT_EQ(bug->component, "Package Review");
    const flr::bugzilla::Flag* review = bug->flag("fedora-review");
    ASSERT_TRUE(review);
    EXPECT_EQ(review->setter, "mjordan@redhat.com");
    EXPECT_EQ(review->modified, 1493542800);
    EXPECT_FALSE(flr::bugzilla::bug_from_json({{"bugs", nlohmann::json::array()}}));
    auto page = flr::bodhi::update_page_from_json(sample("bodhi_updates_query")["response_200"]);
    ASSERT_EQ(page.updates.size(), 1U);
    EXPECT_EQ(page.updates[0].release, "F40");
    EXPECT_EQ(page.updates[0].builds.at(0).nvr, "bash-5.2.26-3.fc40");
    EXPECT_EQ(page.updates[0].pushed, 1709640000);
    EXPECT_EQ(page.pages, 1);
}

TEST(HttpErrors, QuoteTheServicesOwnMessage) {
    auto pagure = sample("pagure_error")["examples"][0];
    EXPECT_EQ(flr::services::error_message(pagure), "Project not found (ENOPROJECT)");
    EXPECT_EQ(flr::services::error_message(sample("oci_error")["response_4xx"]), "MANIFEST_UNKNOWN: manifest unknown");
    nlohmann::json bz{{"error", true}, {"code", 101}, {"message", "Bug #1 does not exist."}};
    EXPECT_EQ(flr::services::error_message(bz), "Bug #1 does not exist. (code 101)");
    nlohmann::json bodhi{{"status", "error"},
                         {"errors", {{{"location", "querystring"}, {"description", "Invalid date"}}}}};
    EXPECT_EQ(flr::services::error_message(bodhi), "Invalid date");
    EXPECT_EQ(flr::services::error_message("just a string"), "");
}

TEST(Text, FormatsUtcDatesAndTimes) {
    EXPECT_EQ(flr::text::utc_date(1709640000), "2024-03-05");
    EXPECT_EQ(flr::text::utc_timestamp(1709640000), "2024-03-05T12:00:00+00:00");
    EXPECT_EQ(flr::text::utc_timestamp(0), "1970-01-01T00:00:00+00:00");
}

TEST(HttpUtil, EscapesQueriesAndRedactsSecrets) {
    EXPECT_EQ(flr::text::percent_encode("a b&c/d"), "a%20b%26c%2Fd");
    EXPECT_EQ(flr::http::query({{"status", "Open"}, {"tags", "a b"}}), "?status=Open&tags=a%20b");
    EXPECT_EQ(flr::http::redact("key=s3 cr&t or s3%20cr%26t", {"s3 cr&t"}), "key=<redacted> or <redacted>");
}

// Credential-bearing parameters are redacted by name, whatever their value (Koji's
// session-id is not a registered secret).
TEST(HttpUtil, RedactsCredentialParametersByName) {
    EXPECT_EQ(flr::http::redact("POST https://koji.example.org/kojihub?session-id=12345&session-key=abc&callnum=3", {}),
              "POST https://koji.example.org/kojihub?session-id=<redacted>&session-key=<redacted>&callnum=3");
    EXPECT_EQ(flr::http::redact("GET https://bz.example.org/rest/bug?id=1&Bugzilla_api_key=k1 failed", {}),
              "GET https://bz.example.org/rest/bug?id=1&Bugzilla_api_key=<redacted> failed");
    EXPECT_EQ(flr::http::redact("GET https://x/?page=2&per_page=100", {}), "GET https://x/?page=2&per_page=100");
}
