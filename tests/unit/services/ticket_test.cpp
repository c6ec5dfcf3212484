// flr-ticket's operations against an in-memory Pagure (the interface's fake).
#include <flr/error.hpp>
#include <flr/ticket.hpp>

#include <gtest/gtest.h>

namespace {

class FakePagure : public flr::pagure::Client {
public:
    flr::pagure::Issue stored{1, "t", "", "Open", "", {}, {"jdoe", ""}, {}, 0, 0, {}};
    std::vector<std::string> calls;

    flr::pagure::Issue issue(const std::string& p, std::int64_t id) override {
        calls.push_back("issue " + p + " " + std::to_string(id));
        return stored;
    }
    std::vector<flr::pagure::Issue> issues(const std::string&, const flr::pagure::IssueQuery&) override { return {}; }
    void comment(const std::string&, std::int64_t, const std::string& body) override {
        calls.push_back("comment " + body);
    }
    void set_status(const std::string&, std::int64_t, const std::string& s, const std::string& cs) override {
        calls.push_back("status " + s + " " + cs);
        stored.status = s;
        stored.close_status = cs;
    }
    std::optional<flr::pagure::Project> project(const std::string&) override { return std::nullopt; }
    void create_project(const flr::pagure::NewProject&) override {}
    void set_main_admin(const std::string&, const std::string&) override {}
    void create_branch(const std::string&, const std::string&, const flr::pagure::BranchFrom&) override {}
    flr::pagure::Branches branches(const std::string&) override { return {}; }
    std::map<std::string, std::string> branch_heads(const std::string&) override { return {}; }
    std::optional<flr::pagure::Access> access(const std::string&) override { return std::nullopt; }
    std::optional<std::string> raw_file(const std::string&, const std::string&, const std::string&) override {
        return std::nullopt;
    }
    std::string monitoring(const std::string&) override { return {}; }
    void set_monitoring(const std::string&, const std::string&) override {}
    std::string issue_url(const std::string& p, std::int64_t id) const override {
        return "https://pagure.io/" + p + "/issue/" + std::to_string(id);
    }
};

}  // namespace

TEST(Ticket, IdsAndProjectsAreStrict) {
    EXPECT_EQ(flr::ticket::parse_id("12"), 12);
    for (const char* bad : {"", "0", "012", "-1", "+1", "1a", " 1", "1234567890", "0x10"}) {
        EXPECT_THROW(flr::ticket::parse_id(bad), flr::UsageError) << bad;
    }
    EXPECT_NO_THROW(flr::ticket::check_project("releng"));
    EXPECT_THROW(flr::ticket::check_project("releng/../x"), flr::UsageError);
}

TEST(Ticket, CloseCommentsThenClosesOnce) {
    FakePagure fake;
    auto out = flr::ticket::close(fake, "releng", 1, "Processed", "done", false);
    EXPECT_TRUE(out.changed);
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"issue releng 1", "comment done", "status Closed Processed"}));
    fake.calls.clear();
    out = flr::ticket::close(fake, "releng", 1, "Processed", "done", false);
    EXPECT_FALSE(out.changed);
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"issue releng 1"}));
    EXPECT_THROW(flr::ticket::close(fake, "releng", 1, "Fixed", "", false), flr::UsageError);
}

TEST(Ticket, DryRunsChangeNothing) {
    FakePagure fake;
    auto out = flr::ticket::comment(fake, "releng", 1, "hello", true);
    EXPECT_FALSE(out.changed);
    EXPECT_NE(out.message.find("would comment"), std::string::npos);
    flr::ticket::close(fake, "releng", 1, "Denied", "", true);
    EXPECT_EQ(fake.calls, (std::vector<std::string>{"issue releng 1", "issue releng 1"}));
}
