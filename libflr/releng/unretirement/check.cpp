#include "releng/unretirement/check.hpp"

#include "releng/markdown.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

namespace flr::releng::unretirement {

namespace {

constexpr std::int64_t day = 86400;

void add(CheckReport& r, Verdict v, std::string text) {
    r.reasons.push_back({v, std::move(text)});
}

std::vector<TagState> tag_states(const CheckRequest& req, const Policy& policy, const std::string& branch,
                                 KojiPackagesPort& koji) {
    std::vector<TagState> out;
    for (const auto& tag : policy.koji_tags(req.repo.ns, branch)) {
        out.push_back({tag, koji.blocked(tag, req.repo.name)});
    }
    return out;
}

BranchReport inspect_branch(const CheckRequest& req, const Policy& policy, Ports& ports, const std::string& name) {
    BranchReport b;
    b.name = name;
    b.state = ports.history->branch(req.repo, name);
    if (b.state.retirement) {
        const auto& rc = *b.state.retirement;
        b.age_days = static_cast<int>(std::max<std::int64_t>(0, ports.clock->now() - rc.time) / day);
        b.legal = legal_reason(rc.reason) || legal_reason(rc.message);
    }
    if (b.state.exists) {
        b.tags = tag_states(req, policy, name, *ports.koji);
    }
    return b;
}

void judge_branch(CheckReport& r, const CheckRequest& req, const BranchReport& b) {
    if (!b.state.exists) {
        add(r, Verdict::refuse, fmt::format("branch {} does not exist", b.name));
        return;
    }
    if (!b.state.dead_package && (!req.resuming || !b.state.retirement)) {
        add(r, Verdict::refuse, fmt::format("branch {} is not retired (no dead.package at its head)", b.name));
        return;
    }
    if (!b.state.retirement) {
        add(r, Verdict::manual, fmt::format("branch {}: the commit that added dead.package was not found", b.name));
        return;
    }
    if (b.legal) {
        add(r, Verdict::refuse, fmt::format("branch {} was retired for a legal or licence reason", b.name));
    }
    for (const auto& t : b.tags) {
        if (!t.blocked) {
            add(r, Verdict::manual, fmt::format("Koji tag {} has no entry for {}", t.tag, req.repo.name));
        }
    }
}

bool mentions(const std::string& summary, const std::string& package) {
    auto pos = summary.find(package);
    while (pos != std::string::npos) {
        auto end = pos + package.size();
        bool left = pos == 0 || summary[pos - 1] == ' ' || summary[pos - 1] == ':';
        bool right = end == summary.size() || summary[end] == ' ';
        if (left && right) {
            return true;
        }
        pos = summary.find(package, pos + 1);
    }
    return false;
}

// The newest retirement among the branches checked, if any.
std::optional<RetirementCommit> latest_retirement(const CheckReport& r) {
    std::optional<RetirementCommit> latest;
    for (const auto& b : r.branches) {
        if (b.state.retirement && (!latest || b.state.retirement->time > latest->time)) {
            latest = b.state.retirement;
        }
    }
    return latest;
}

ReviewReport inspect_review(std::int64_t id, const std::string& package, ReviewsPort& bugzilla,
                            const std::optional<RetirementCommit>& retired) {
    ReviewReport rv;
    rv.id = id;
    rv.bug = bugzilla.bug(id);
    if (!rv.bug) {
        rv.problems.push_back(fmt::format("bug {} does not exist or is not visible", id));
        return rv;
    }
    const ReviewBug& bug = *rv.bug;
    if (bug.component != "Package Review" || (bug.product != "Fedora" && bug.product != "Fedora EPEL")) {
        rv.problems.push_back(
            fmt::format("bug {} is in {}/{}, not Fedora/Package Review", id, bug.product, bug.component));
    }
    if (!mentions(bug.summary, package)) {
        rv.problems.push_back(fmt::format("bug {} does not name {} in its summary", id, package));
    }
    if (!bug.fedora_review || bug.fedora_review->status != "+") {
        rv.problems.push_back(fmt::format("bug {} does not carry fedora-review+", id));
    } else if (bug.fedora_review->setter == bug.creator) {
        rv.problems.push_back(fmt::format("fedora-review+ on bug {} was set by its reporter", id));
    } else if (retired) {
        // A re-review is one after the retirement: an approval from before it is the old review.
        auto set = parse_iso_time(bug.fedora_review->date);
        if (!set) {
            rv.problems.push_back(fmt::format("the date of fedora-review+ on bug {} cannot be read", id));
        } else if (*set < retired->time) {
            rv.problems.push_back(
                fmt::format("fedora-review+ on bug {} was set on {}, before the retirement on {}: "
                            "it is not a re-review",
                            id, iso_date(*set), iso_date(retired->time)));
        }
    }
    rv.approved = rv.problems.empty();
    return rv;
}

// Only retired branches have an age: a branch that does not exist or was never retired
// is refused on its own and says nothing about the 8-week rule.
bool any_retired(const CheckReport& r) {
    return std::any_of(r.branches.begin(), r.branches.end(), [](const BranchReport& b) { return b.age_days; });
}

bool all_recent(const CheckReport& r) {
    return std::all_of(r.branches.begin(), r.branches.end(),
                       [&](const BranchReport& b) { return !b.age_days || *b.age_days < r.max_age_days; });
}

void judge_review(CheckReport& r) {
    if (!any_retired(r) || all_recent(r)) {
        return;
    }
    std::string why = fmt::format("retired {} days ago or more: a re-review is required", r.max_age_days);
    if (!r.review) {
        add(r, Verdict::needs_review,
            why +
                ", and no review bug was given (name it in the ticket body, or comment its "
                "bugzilla.redhat.com link on the ticket)");
        return;
    }
    for (const auto& p : r.review->problems) {
        add(r, Verdict::needs_review, why + ": " + p);
    }
}

void judge_policy(CheckReport& r, const Policy& policy) {
    if (!policy.namespace_allowed(r.repo.ns)) {
        add(r, Verdict::manual, fmt::format("namespace {} is not handled automatically", r.repo.ns));
    }
    if (policy.denied(r.repo.name)) {
        add(r, Verdict::manual, fmt::format("{} is on the deny-list", r.repo.name));
    }
    if (r.project && r.project->owner == "orphan" && r.requester.empty()) {
        add(r, Verdict::manual, "the package is orphaned and the ticket names no requester to give it to");
    }
    if (r.requester_exists && !*r.requester_exists) {
        add(r, Verdict::refuse,
            fmt::format("the package is orphaned and would go to {}, who has no dist-git account", r.requester));
    }
    if (policy.phase == Phase::report_only) {
        add(r, Verdict::manual, "policy phase report-only: a release engineer processes the ticket");
    } else if (policy.phase == Phase::auto_recent && any_retired(r) && !all_recent(r)) {
        add(r, Verdict::manual,
            fmt::format("policy phase auto-recent: only packages retired less than {} days ago are processed "
                        "automatically",
                        r.max_age_days));
    }
}

void decide(CheckReport& r) {
    r.verdict = Verdict::automatic;
    for (const auto& reason : r.reasons) {
        r.verdict = std::max(r.verdict, reason.verdict);
    }
    std::stable_sort(r.reasons.begin(), r.reasons.end(),
                     [](const Reason& a, const Reason& b) { return a.verdict > b.verdict; });
}

}  // namespace

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::automatic:
            return "auto";
        case Verdict::needs_review:
            return "needs-review";
        case Verdict::refuse:
            return "refuse";
        case Verdict::manual:
            break;
    }
    return "manual";
}

bool legal_reason(const std::string& text) {
    static const std::regex re(R"(\b(legal|licen[cs]e|licensing|patent|copyright|trademark|export control))",
                               std::regex::icase);
    return std::regex_search(text.begin(), text.begin() + static_cast<long>(std::min<size_t>(text.size(), 20000)), re);
}

CheckReport check(const CheckRequest& req, const Policy& policy, Ports& ports) {
    CheckReport r;
    r.repo = req.repo;
    r.ticket_url = req.ticket_url;
    r.requester = req.requester;
    r.author = req.author;
    r.phase = phase_name(policy.phase);
    r.max_age_days = policy.max_age_days;
    r.project = ports.projects->project(req.repo);
    if (!r.project) {
        add(r, Verdict::refuse, fmt::format("{} is not a known package", req.repo.fullname()));
        decide(r);
        return r;
    }
    std::vector<std::string> names = req.branches.empty() ? std::vector<std::string>{"rawhide"} : req.branches;
    for (const auto& given : names) {
        std::string name = policy.canonical_branch(given);
        if (std::any_of(r.branches.begin(), r.branches.end(), [&](const BranchReport& b) { return b.name == name; })) {
            continue;
        }
        r.branches.push_back(inspect_branch(req, policy, ports, name));
        judge_branch(r, req, r.branches.back());
    }
    if (req.bug) {
        r.review = inspect_review(*req.bug, req.repo.name, *ports.reviews, latest_retirement(r));
        r.review->source = req.bug_source;
    }
    // The new owner of an orphan is checked before anything changes.
    if (r.project->owner == "orphan" && !req.requester.empty()) {
        r.requester_exists = ports.projects->user_exists(req.requester);
    }
    judge_review(r);
    judge_policy(r, policy);
    decide(r);
    return r;
}

CheckReport malformed_report(const std::string& reason, const std::string& ticket_url, const Policy& policy) {
    CheckReport r;
    r.ticket_url = ticket_url;
    r.phase = phase_name(policy.phase);
    r.max_age_days = policy.max_age_days;
    r.malformed = reason;
    add(r, Verdict::manual, "the ticket could not be read as an unretirement request: " + reason);
    decide(r);
    return r;
}

}  // namespace flr::releng::unretirement
