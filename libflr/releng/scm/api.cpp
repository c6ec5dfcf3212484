// The public scm-requests API: ticket in, report or run record out.
#include <flr/scm.hpp>

#include "releng/adapters.hpp"
#include "releng/markdown.hpp"
#include "releng/names.hpp"
#include "releng/references.hpp"
#include "releng/scm/commands.hpp"
#include "releng/scm/render.hpp"
#include "releng/scm/request.hpp"
#include "releng/scm/run.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

namespace flr::scm {

using namespace flr::releng;
using namespace flr::releng::scm;
using Json = nlohmann::json;

namespace {

const char* const not_a_request =
    "This ticket is not a request flr can read: file it with `fedpkg request-repo` or `fedpkg request-branch`.";

struct Context {
    Context(const Config& config)
        : policy(Policy::from_config(config)), services(config, policy.services()), ports(services.ports()) {}
    Policy policy;
    ServicePorts services;
    Ports ports;
};

Output report_output(const Report& report) {
    Output out;
    out.exit_code = report.verdict == Verdict::valid ? exit_valid : exit_negative;
    out.markdown = render_markdown(report);
    out.json = render_json(report).dump(2);
    return out;
}

Output said(const std::string& url, const std::string& what, bool changed, int code = exit_valid) {
    Output out;
    out.exit_code = code;
    out.markdown = fmt::format("{}: {}\n", url, what);
    out.json = Json{{"ticket", url}, {"outcome", what}, {"changed", changed}}.dump(2);
    return out;
}

bool stopped_before(const Ticket& t, const std::string& bot) {
    return std::any_of(t.comments.begin(), t.comments.end(),
                       [&](const TicketComment& c) { return by_bot(c, bot) && c.text.starts_with(stopped_heading); });
}

bool has_bot_comment(const Ticket& t, const std::string& bot, const std::string& prefix) {
    return std::any_of(t.comments.begin(), t.comments.end(),
                       [&](const TicketComment& c) { return by_bot(c, bot) && c.text.starts_with(prefix); });
}

// The report on a ticket: nullopt when it is no request at all.
std::optional<Report> report_on(Context& cx, const Ticket& t, bool resuming) {
    TicketParse parsed = parse_ticket(t.title, t.body);
    if (parsed.kind == TicketParse::Kind::other) {
        return std::nullopt;
    }
    if (parsed.kind == TicketParse::Kind::malformed) {
        return malformed_report(parsed.problems, t.author, t.url);
    }
    CheckInput in{parsed.request, t.author, t.url, t.comments, resuming};
    return releng::scm::check(in, cx.policy, cx.ports);
}

Output run_output(const RunResult& res, const std::string& url, bool dry_run, const std::string& bot) {
    Output out;
    out.exit_code = res.failure ? exit_negative : exit_valid;
    if (res.failure) {
        out.failure =
            std::make_exception_ptr(Error(fmt::format("step \"{}\" failed: {}", res.failed_step, res.failed_detail())));
    }
    out.markdown = render_steps_markdown(res, bot);
    if (!res.changed && !res.failure) {
        out.markdown += "\nNothing to do: every step was already done.\n";
    }
    Json j{{"ticket", url},
           {"changed", res.changed},
           {"dry_run", dry_run},
           {"completed", !res.failure},
           {"check", render_json(res.report)}};
    j["steps"] = steps_json(res.steps);
    j["failed_step"] = res.failure ? Json(res.failed_step) : Json(nullptr);
    out.json = j.dump(2);
    return out;
}

void comment(Context& cx, std::int64_t id, const std::string& text, bool dry_run) {
    if (dry_run) {
        log::info("dry run: would comment on the ticket");
        return;
    }
    cx.ports.tickets->comment(id, text);
}

// Acts on a ticket's request: process a valid one, close an invalid or denied one with the
// report (respond only), ping the approvers of an exception once.
Output act(Context& cx, std::int64_t id, const Ticket& t, const ProcessOptions& o) {
    const auto& p = cx.policy;
    bool resuming = !t.open || stopped_before(t, p.bot_name);
    auto report = report_on(cx, t, resuming);
    if (!report) {
        if (o.respond && !has_bot_comment(t, p.bot_name, not_a_request)) {
            comment(cx, id, not_a_request, o.dry_run);
            return said(t.url, "not a request: said so, left open", true);
        }
        return said(t.url, "not a request", false, o.respond ? exit_valid : exit_negative);
    }
    if (report->verdict == Verdict::valid) {
        return run_output(process(*report, id, p, cx.ports, o.dry_run), t.url, o.dry_run, p.bot_name);
    }
    if (!o.respond) {
        Output out = report_output(*report);
        std::string why;
        for (const auto& r : report->reasons()) {
            why += (why.empty() ? "" : "; ") + r;
        }
        out.failure = std::make_exception_ptr(
            Error(fmt::format("refused: the request is {} ({})", verdict_name(report->verdict), why)));
        return out;
    }
    // Answering is the job here: an invalid request closed as Invalid is a success.
    Output out = report_output(*report);
    out.exit_code = exit_valid;
    if (report->verdict == Verdict::needs_approval) {
        if (!has_bot_comment(t, p.bot_name, "## Approval needed")) {
            comment(cx, id, render_approval_ping(*report, p.bot_name), o.dry_run);
        }
        return out;
    }
    std::string status = report->verdict == Verdict::denied ? p.close_denied : p.close_invalid;
    if (!o.dry_run) {
        cx.ports.tickets->comment(id, out.markdown);
        cx.ports.tickets->close(id, status);
    }
    return out;
}

bool release_engineer(Context& cx, const std::string& user) {
    auto groups = cx.ports.accounts->groups(user);
    return std::find(groups.begin(), groups.end(), cx.policy.approvers_group) != groups.end();
}

Output respond(Context& cx, std::int64_t id, const Ticket& t, const ProcessOptions& o) {
    const auto& bot = cx.policy.bot_name;
    if (!t.open) {
        return said(t.url, "closed" + (t.close_status.empty() ? "" : " as " + t.close_status) + ": nothing to do",
                    false);
    }
    bool answered =
        std::any_of(t.comments.begin(), t.comments.end(), [&](const TicketComment& c) { return by_bot(c, bot); });
    if (t.comments.empty() || !answered) {
        return act(cx, id, t, o);  // the first look at this ticket
    }
    const TicketComment& last = t.comments.back();
    if (by_bot(last, bot)) {
        return said(t.url, "the last comment is the bot's own: nothing to do", false);
    }
    auto command = parse_command(last.text, bot);
    if (!command || *command == Command::unknown) {
        return said(t.url, "the last comment is no command: nothing to do", false);
    }
    if (*command == Command::help) {
        comment(cx, id, help_text(bot), o.dry_run);
        return said(t.url, "answered help", true);
    }
    if (*command == Command::retry) {
        if (last.author != t.author && !release_engineer(cx, last.author)) {
            comment(cx, id,
                    fmt::format("@{}: only the ticket's author or a release engineer can retry a request.",
                                markdown_text(last.author, 64)),
                    o.dry_run);
            return said(t.url, "retry refused", true);
        }
        return act(cx, id, t, o);
    }
    // valid: the check counts an approval only from someone who may give it.
    auto report = report_on(cx, t, stopped_before(t, bot));
    if (report && report->approved_by == last.author) {
        return act(cx, id, t, o);
    }
    if (report && !report->approved_by.empty()) {
        return said(t.url, "already approved: nothing to do", false);
    }
    std::string who = report && report->request.action == Action::new_branch
                          ? fmt::format("a maintainer of {} or a member of {}",
                                        markdown_text(report->request.repo.fullname()), cx.policy.approvers_group)
                          : "a member of " + cx.policy.approvers_group;
    comment(cx, id, fmt::format("@{}: only {} can approve this request.", markdown_text(last.author, 64), who),
            o.dry_run);
    return said(t.url, "valid refused", true);
}

}  // namespace

void check_repo_name(const std::string& name) {
    require_option(valid_package_name(name), "--name", name, "a valid repository name");
}

void check_namespace(const std::string& ns) {
    require_option(valid_namespace(ns), "--namespace", ns, "a dist-git namespace");
}

void check_branch_name(const std::string& branch, const std::string& option) {
    static const std::regex re("^[a-zA-Z0-9.\\-_+]{1,255}$");
    require_option(std::regex_match(branch, re) && !branch.starts_with("-"), option, branch, "a valid branch name");
}

void check_monitor(const std::string& monitor) {
    require_option(valid_monitor(monitor), "--monitor", monitor, "a monitoring setting");
}

void check_user(const std::string& user) {
    require_option(valid_user_name(user), "--main-admin", user, "a user name");
}

Output check(const Config& config, const CheckOptions& o) {
    Context cx(config);
    std::int64_t id = ticket_id(o.ticket, *cx.ports.tickets);
    Ticket t = cx.ports.tickets->ticket(id);
    auto report = report_on(cx, t, !t.open || stopped_before(t, cx.policy.bot_name));
    if (!report) {
        return said(t.url, "not an scm request, ignored", false);
    }
    Output out = report_output(*report);
    if (o.post) {
        if (!t.comments.empty() && t.comments.back().text == out.markdown) {
            log::info("the same report is already the ticket's last comment; not posted again");
        } else {
            comment(cx, id, out.markdown, o.dry_run);
        }
    }
    return out;
}

Output process(const Config& config, const ProcessOptions& o) {
    Context cx(config);
    std::int64_t id = ticket_id(o.ticket, *cx.ports.tickets);
    Ticket t = cx.ports.tickets->ticket(id);
    return o.respond ? respond(cx, id, t, o) : act(cx, id, t, o);
}

Output create_repo(const Config& config, const CreateRepoOptions& o) {
    Context cx(config);
    ScmRequest req;
    req.action = Action::new_repo;
    req.repo = RepoRef{o.ns, o.name};
    req.description = o.description;
    req.upstream_url = o.upstream_url;
    req.monitor = o.monitor;
    req.branch = o.branch;
    RunResult res;
    res.report.request = req;
    res.report.author = o.main_admin;
    run_steps(repo_steps(req, o.main_admin, cx.ports), o.dry_run, res);
    return run_output(res, "", o.dry_run, cx.policy.bot_name);
}

Output create_branch(const Config& config, const CreateBranchOptions& o) {
    Context cx(config);
    RunResult res;
    res.report.request.action = Action::new_branch;
    res.report.request.repo = RepoRef{o.ns, o.name};
    res.report.request.branch = o.branch;
    if (!cx.ports.repos->access(res.report.request.repo)) {
        throw Error(fmt::format("{} does not exist in dist-git", res.report.request.repo.fullname()));
    }
    run_steps(branch_steps(res.report.request.repo, o.branch, o.from, cx.ports), o.dry_run, res);
    return run_output(res, "", o.dry_run, cx.policy.bot_name);
}

}  // namespace flr::scm
