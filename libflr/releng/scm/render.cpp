#include "releng/scm/render.hpp"

#include "releng/markdown.hpp"

#include <fmt/format.h>

namespace flr::releng::scm {

const char* const stopped_heading = "## Request stopped";

namespace {

std::string subject(const Report& r) {
    if (r.request.repo.name.empty()) {
        return "this ticket";
    }
    const auto& q = r.request;
    return q.action == Action::new_repo
               ? fmt::format("new repository {}", markdown_text(q.repo.fullname()))
               : fmt::format("new branch {} of {}", markdown_text(q.branch), markdown_text(q.repo.fullname()));
}

}  // namespace

std::string render_markdown(const Report& r) {
    std::string out = fmt::format("## Request {}: {}\n\n", verdict_name(r.verdict), subject(r));
    for (const auto& c : r.checks) {
        out += fmt::format("- {}: {} ({})\n", c.rule, outcome_name(c.outcome), c.message);
    }
    auto reasons = r.reasons();
    if (!reasons.empty()) {
        out += "\nReasons:\n\n";
        for (const auto& why : reasons) {
            out += "- " + why + "\n";
        }
    }
    for (const auto& w : r.warnings) {
        out += "\nWarning: " + markdown_text(w) + "\n";
    }
    return out;
}

nlohmann::json render_json(const Report& r) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : r.checks) {
        checks.push_back({{"rule", c.rule},
                          {"result", c.outcome == Outcome::pass   ? "ok"
                                     : c.outcome == Outcome::fail ? "failed"
                                                                  : "skipped"},
                          {"message", c.message}});
    }
    const auto& q = r.request;
    nlohmann::json j{{"ticket", r.ticket_url},
                     {"author", r.author},
                     {"action", q.repo.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(action_name(q.action))},
                     {"namespace", q.repo.ns},
                     {"repo", q.repo.name},
                     {"branch", q.branch},
                     {"verdict", verdict_name(r.verdict)},
                     {"checks", checks},
                     {"reasons", r.reasons()},
                     {"approvers", r.approvers},
                     {"approved_by", r.approved_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.approved_by)},
                     {"warnings", r.warnings}};
    return j;
}

std::string render_approval_ping(const Report& r, const std::string& bot) {
    std::string who;
    for (const auto& a : r.approvers) {
        who += (who.empty() ? "@" : ", @") + markdown_text(a, 64);
    }
    return fmt::format(
               "## Approval needed: {}\n\n{}: this request needs an approval. Approve it with a comment "
               "`@{} valid`.\n\n",
               subject(r), who.empty() ? "Release engineers" : who, bot) +
           render_markdown(r);
}

}  // namespace flr::releng::scm
