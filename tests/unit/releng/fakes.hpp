// In-memory fakes of the releng ports, for the kernel and workflow unit tests.
#pragma once

#include "releng/ports.hpp"

#include <flr/error.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace flr::test {

using namespace flr::releng;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kDay = 86400;

class FakeDistGit : public HistoryPort {
public:
    std::map<std::string, BranchState> branches;  // "rpms/foo:rawhide"
    std::vector<std::string> log;
    std::string fail_revert_on;  // a branch whose revert throws
    std::string fail_message = "push refused";
    int next = 0;

    static std::string key(const RepoRef& r, const std::string& b) { return r.fullname() + ":" + b; }

    void retire(const RepoRef& r, const std::string& b, std::int64_t age_days, const std::string& reason,
                const std::string& head = "") {
        BranchState s;
        s.exists = true;
        s.dead_package = true;
        s.retirement = RetirementCommit{"c0ffee" + b, kNow - age_days * kDay, "Jane <j@example.org>", reason,
                                        "Retired: " + reason};
        s.head = head.empty() ? s.retirement->hash : head;
        branches[key(r, b)] = s;
    }

    BranchState branch(const RepoRef& r, const std::string& b) override {
        auto it = branches.find(key(r, b));
        return it == branches.end() ? BranchState{} : it->second;
    }
    std::string revert(const RepoRef& r, const std::string& b, const std::string& commit,
                       const std::string& message) override {
        if (b == fail_revert_on) {
            throw RemoteError("git", fail_message);
        }
        auto& s = branches.at(key(r, b));
        s.dead_package = false;
        s.head = "revert" + std::to_string(next++);
        log.push_back("revert " + b + " " + commit + " " + message);
        return s.head;
    }
    void fast_forward(const RepoRef& r, const std::string& b, const std::string& commit) override {
        auto& s = branches.at(key(r, b));
        s.dead_package = false;
        s.head = commit;
        log.push_back("ff " + b + " " + commit);
    }
};

class FakeKoji : public KojiPackagesPort {
public:
    std::map<std::string, bool> blocks;  // "tag:pkg"
    std::vector<std::string> log;
    std::optional<bool> blocked(const std::string& tag, const std::string& pkg) override {
        auto it = blocks.find(tag + ":" + pkg);
        return it == blocks.end() ? std::nullopt : std::optional<bool>(it->second);
    }
    void unblock(const std::string& tag, const std::string& pkg) override {
        blocks.at(tag + ":" + pkg) = false;
        log.push_back("unblock " + tag + " " + pkg);
    }
};

class FakeBugzilla : public ReviewsPort {
public:
    std::map<std::int64_t, ReviewBug> bugs;
    std::map<std::int64_t, std::vector<std::string>> comments;
    std::optional<ReviewBug> bug(std::int64_t id) override {
        auto it = bugs.find(id);
        return it == bugs.end() ? std::nullopt : std::optional<ReviewBug>(it->second);
    }
    void comment(std::int64_t id, const std::string& text) override { comments[id].push_back(text); }
    bool has_comment(std::int64_t id, const std::string& text) override {
        const auto& all = comments[id];
        return std::find(all.begin(), all.end(), text) != all.end();
    }
    void approve(std::int64_t id, const std::string& pkg) {
        bugs[id] = ReviewBug{id,
                             "Review Request: " + pkg + " - a package",
                             "Fedora",
                             "Package Review",
                             "ASSIGNED",
                             "req@example.org",
                             "rev@example.org",
                             ReviewFlag{"+", "rev@example.org", "2027-01-14T08:00:00Z"}};  // a day before kNow
    }
};

class FakePackages : public ProjectsPort {
public:
    std::map<std::string, ProjectInfo> projects;
    std::set<std::string> users{"req", "alice", "bob", "newbie"};
    std::vector<std::string> log;
    std::optional<ProjectInfo> project(const RepoRef& r) override {
        auto it = projects.find(r.fullname());
        return it == projects.end() ? std::nullopt : std::optional<ProjectInfo>(it->second);
    }
    bool user_exists(const std::string& user) override { return users.count(user) > 0; }
    void give(const RepoRef& r, const std::string& user) override {
        projects.at(r.fullname()).owner = user;
        log.push_back("give " + r.fullname() + " " + user);
    }
};

class FakeTickets : public TicketsPort {
public:
    std::map<std::int64_t, Ticket> tickets;
    std::vector<std::string> log;
    Ticket ticket(std::int64_t id) override { return tickets.at(id); }
    std::string url(std::int64_t id) const override { return "https://pagure.io/releng/issue/" + std::to_string(id); }
    void comment(std::int64_t id, const std::string& text) override {
        tickets.at(id).comments.push_back({"releng-bot", text});
        log.push_back("comment " + std::to_string(id));
    }
    void close(std::int64_t id, const std::string& status) override {
        tickets.at(id).open = false;
        tickets.at(id).close_status = status;
        log.push_back("close " + std::to_string(id) + " " + status);
    }
};

class FakeAccounts : public AccountsPort {
public:
    std::map<std::string, Account> users;
    std::map<std::string, std::vector<std::string>> group_members;
    std::optional<Account> user(const std::string& name) override {
        auto it = users.find(name);
        return it == users.end() ? std::nullopt : std::optional<Account>(it->second);
    }
    std::vector<std::string> groups(const std::string& user) override {
        std::vector<std::string> out;
        for (const auto& [g, members] : group_members) {
            if (std::find(members.begin(), members.end(), user) != members.end()) {
                out.push_back(g);
            }
        }
        return out;
    }
    std::vector<std::string> members(const std::string& group) override { return group_members[group]; }
};

class FakeRepos : public ReposPort {
public:
    struct Repo {
        ProjectAccess access;
        std::map<std::string, std::string> branches;
        std::string monitoring = "no-monitoring";
    };
    std::map<std::string, Repo> repos;
    std::vector<std::string> log;
    std::string fail_on;  // an operation that throws ("create", "branch", "admin", "monitoring")
    int next = 0;

    void check(const std::string& op) {
        if (op == fail_on) {
            throw RemoteError("dist-git", "500 Internal Server Error");
        }
    }
    std::optional<ProjectAccess> access(const RepoRef& r) override {
        auto it = repos.find(r.fullname());
        return it == repos.end() ? std::nullopt : std::optional<ProjectAccess>(it->second.access);
    }
    std::map<std::string, std::string> branches(const RepoRef& r) override {
        auto it = repos.find(r.fullname());
        return it == repos.end() ? std::map<std::string, std::string>{} : it->second.branches;
    }
    void create(const NewRepo& n) override {
        check("create");
        Repo repo;
        repo.access.main_admin = "releng";
        repo.branches["rawhide"] = "c0" + std::to_string(next++);
        repos[n.repo.fullname()] = repo;
        log.push_back("create " + n.repo.fullname());
    }
    void create_branch(const RepoRef& r, const std::string& b, const std::string& from) override {
        check("branch");
        repos.at(r.fullname()).branches[b] = from;
        log.push_back("branch " + r.fullname() + " " + b + " " + from);
    }
    void set_main_admin(const RepoRef& r, const std::string& user) override {
        check("admin");
        repos.at(r.fullname()).access.main_admin = user;
        log.push_back("admin " + r.fullname() + " " + user);
    }
    std::string monitoring(const RepoRef& r) override { return repos.at(r.fullname()).monitoring; }
    void set_monitoring(const RepoRef& r, const std::string& value) override {
        check("monitoring");
        repos.at(r.fullname()).monitoring = value;
        log.push_back("monitoring " + r.fullname() + " " + value);
    }
    std::string url(const RepoRef& r) const override { return "https://src.example.org/" + r.fullname(); }
};

class FakeRhel : public RhelPort {
public:
    std::map<int, std::vector<std::string>> arches;                          // release arches
    std::map<int, std::map<std::string, std::vector<std::string>>> shipped;  // major -> package -> arches
    std::optional<RhelPackage> package(int major, const std::string& name) override {
        auto it = shipped[major].find(name);
        if (it == shipped[major].end()) {
            return std::nullopt;
        }
        return RhelPackage{arches[major], it->second};
    }
};

class FixedClock : public Clock {
public:
    std::int64_t time = kNow;
    std::int64_t now() const override { return time; }
};

struct FakeWorld {
    FakeDistGit distgit;
    FakeKoji koji;
    FakeBugzilla bugzilla;
    FakePackages packages;
    FakeTickets tickets;
    FixedClock clock;
    FakeAccounts accounts;
    FakeRepos repos;
    FakeRhel rhel;
    Ports ports() {
        return Ports{.history = &distgit,
                     .koji = &koji,
                     .reviews = &bugzilla,
                     .projects = &packages,
                     .tickets = &tickets,
                     .clock = &clock,
                     .accounts = &accounts,
                     .repos = &repos,
                     .rhel = &rhel};
    }
};

}  // namespace flr::test
