#include "releng/unretirement/render.hpp"

#include <fmt/format.h>

namespace flr::releng::unretirement {

namespace {

using Json = nlohmann::json;

std::string requester_md(const CheckReport& r) {
    std::string out = "Requester: " + (r.requester.empty() ? std::string("(none named)") : markdown_text(r.requester));
    if (!r.author.empty() && r.author != r.requester) {
        out += " (named by the ticket's author, " + markdown_text(r.author) + ")";
    }
    if (r.requester_exists) {
        out += *r.requester_exists ? "; has a dist-git account" : "; **has no dist-git account**";
    }
    return out + ".\n";
}

std::string ownership_md(const CheckReport& r) {
    if (!r.project) {
        return "Unknown package: dist-git has no project " + markdown_text(r.repo.fullname()) + ".\n";
    }
    if (r.project->owner == "orphan") {
        return fmt::format("**THIS IS AN ORPHAN PACKAGE.** It will be given to the requester, {}.\n",
                           r.requester.empty() ? "(none named)" : markdown_text(r.requester));
    }
    std::string admins;
    for (const auto& a : r.project->admins) {
        admins += (admins.empty() ? "" : ", ") + markdown_text(a);
    }
    return fmt::format("Owner: {}; admins: {}.\n", markdown_text(r.project->owner), admins.empty() ? "none" : admins);
}

std::string koji_md(const BranchReport& b) {
    std::string out;
    for (const auto& t : b.tags) {
        std::string state = !t.blocked ? "no entry" : (*t.blocked ? "blocked" : "not blocked");
        out += (out.empty() ? "" : ", ") + t.tag + ": " + state;
    }
    return out.empty() ? "-" : out;
}

std::string branch_row(const BranchReport& b, int max_age) {
    if (!b.state.exists) {
        return fmt::format("| {} | branch does not exist | | | | | | |\n", b.name);
    }
    std::string dead = b.state.dead_package ? "yes" : "no";
    if (!b.state.retirement) {
        return fmt::format("| {} | {} | - | - | - | - | - | {} |\n", b.name, dead, koji_md(b));
    }
    const auto& rc = *b.state.retirement;
    std::string age = fmt::format("{} days ({} {})", *b.age_days, *b.age_days < max_age ? "<" : ">=", max_age);
    std::string reason = markdown_text(rc.reason) + (b.legal ? " **(legal/licence)**" : "");
    return fmt::format("| {} | {} | `{}` | {} | {} | {} | {} | {} |\n", b.name, dead, rc.hash.substr(0, 12),
                       markdown_text(rc.author), iso_date(rc.time), age, reason, koji_md(b));
}

std::string branches_md(const CheckReport& r) {
    if (r.branches.empty()) {
        return {};
    }
    std::string out =
        "\n### Branches\n\n| Branch | dead.package | Retirement commit | Author | Date | Age | Reason "
        "| Koji |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& b : r.branches) {
        out += branch_row(b, r.max_age_days);
    }
    return out;
}

std::string review_md(const CheckReport& r) {
    if (!r.review) {
        return r.project ? "\n### Review\n\nNo review bug given.\n" : "";
    }
    const auto& rv = *r.review;
    std::string out = fmt::format("\n### Review\n\nBug rhbz#{}", rv.id);
    if (!rv.source.empty()) {
        out += " (from " + markdown_text(rv.source) + ")";
    }
    if (rv.bug) {
        const auto& b = *rv.bug;
        out += fmt::format(": {}/{}, \"{}\", status {}, reported by {}", markdown_text(b.product),
                           markdown_text(b.component), markdown_text(b.summary), markdown_text(b.status),
                           markdown_text(b.creator));
        if (b.fedora_review) {
            out += fmt::format("; fedora-review{} set by {} on {}", markdown_text(b.fedora_review->status),
                               markdown_text(b.fedora_review->setter), markdown_text(b.fedora_review->date));
        }
    }
    out += rv.approved ? ". Approved.\n" : ". Not approved.\n";
    for (const auto& p : rv.problems) {
        out += "- " + markdown_text(p, 400) + "\n";
    }
    return out;
}

Json branch_json(const BranchReport& b) {
    Json j{{"name", b.name}, {"exists", b.state.exists}, {"dead_package", b.state.dead_package}};
    j["head"] = b.state.head;
    j["retirement"] = nullptr;
    if (b.state.retirement) {
        const auto& rc = *b.state.retirement;
        j["retirement"] = {{"commit", rc.hash},   {"date", iso_date(rc.time)}, {"time", rc.time}, {"author", rc.author},
                           {"reason", rc.reason}, {"age_days", *b.age_days},   {"legal", b.legal}};
    }
    j["koji"] = Json::array();
    for (const auto& t : b.tags) {
        j["koji"].push_back({{"tag", t.tag}, {"blocked", t.blocked ? Json(*t.blocked) : Json(nullptr)}});
    }
    return j;
}

Json review_json(const ReviewReport& rv) {
    Json j{{"bug", rv.id},
           {"source", rv.source},
           {"found", rv.bug.has_value()},
           {"approved", rv.approved},
           {"problems", rv.problems}};
    if (rv.bug) {
        const auto& b = *rv.bug;
        j.update({{"product", b.product},
                  {"component", b.component},
                  {"summary", b.summary},
                  {"status", b.status},
                  {"creator", b.creator}});
        j["fedora_review"] = nullptr;
        if (b.fedora_review) {
            j["fedora_review"] = {{"status", b.fedora_review->status},
                                  {"setter", b.fedora_review->setter},
                                  {"date", b.fedora_review->date}};
        }
    }
    return j;
}

}  // namespace

std::string render_markdown(const CheckReport& r) {
    std::string title = r.malformed.empty() ? markdown_text(r.repo.fullname()) : "malformed ticket";
    std::string out = fmt::format(
        "## Unretirement check: {}\n\n**Verdict: `{}`** (policy phase {}, 8-week rule: "
        "{} days)\n\n",
        title, verdict_name(r.verdict), r.phase, r.max_age_days);
    for (const auto& reason : r.reasons) {
        out += fmt::format("- {}: {}\n", verdict_name(reason.verdict), markdown_text(reason.text, 400));
    }
    if (!r.malformed.empty()) {
        return out;
    }
    out += "\n### Ownership\n\n" + requester_md(r) + ownership_md(r);
    out += branches_md(r);
    out += review_md(r);
    return out;
}

Json render_json(const CheckReport& r) {
    Json j{{"verdict", verdict_name(r.verdict)}, {"phase", r.phase}, {"max_age_days", r.max_age_days}};
    j["reasons"] = Json::array();
    for (const auto& reason : r.reasons) {
        j["reasons"].push_back({{"verdict", verdict_name(reason.verdict)}, {"text", reason.text}});
    }
    j["ticket"] = r.ticket_url.empty() ? Json(nullptr) : Json(r.ticket_url);
    if (!r.malformed.empty()) {
        j["malformed"] = r.malformed;
        return j;
    }
    j.update({{"package", r.repo.name}, {"namespace", r.repo.ns}, {"requester", r.requester}, {"author", r.author}});
    j["requester_exists"] = r.requester_exists ? Json(*r.requester_exists) : Json(nullptr);
    j["ownership"] = nullptr;
    if (r.project) {
        j["ownership"] = {
            {"owner", r.project->owner}, {"orphan", r.project->owner == "orphan"}, {"admins", r.project->admins}};
    }
    j["branches"] = Json::array();
    for (const auto& b : r.branches) {
        j["branches"].push_back(branch_json(b));
    }
    j["review"] = r.review ? review_json(*r.review) : Json(nullptr);
    return j;
}

}  // namespace flr::releng::unretirement
