// The public unretirement API: arguments and ticket in, report or run record out.
#include <flr/unretirement.hpp>

#include "releng/adapters.hpp"
#include "releng/names.hpp"
#include "releng/references.hpp"
#include "releng/unretirement/render.hpp"
#include "releng/unretirement/request.hpp"
#include "releng/unretirement/run.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace flr::unretirement {

using namespace flr::releng;
using namespace flr::releng::unretirement;
using Json = nlohmann::json;

namespace {

Output report_output(const CheckReport& report) {
    Output out;
    out.exit_code = report.verdict == Verdict::automatic ? exit_auto : exit_negative;
    out.markdown = render_markdown(report);
    out.json = render_json(report).dump(2);
    return out;
}

Output ignored(const std::string& url) {
    Output out;
    out.markdown = fmt::format("{}: not an unretirement ticket, ignored\n", url);
    out.json = Json{{"ticket", url}, {"ignored", true}, {"reason", "not an unretirement ticket"}}.dump(2);
    return out;
}

void post(TicketsPort& tickets, std::int64_t id, const std::string& text, const CheckOptions& o) {
    Ticket t = tickets.ticket(id);
    if (!t.open && !o.post_closed) {
        log::info(fmt::format("{} is closed{}: the report is not posted (--post-closed posts it anyway)", t.url,
                              t.close_status.empty() ? "" : " as " + t.close_status));
        return;
    }
    if (!t.comments.empty() && t.comments.back().text == text) {
        log::info("the same report is already the ticket's last comment; not posted again");
        return;
    }
    if (o.dry_run) {
        log::info(fmt::format("dry run: would comment the report on {}", t.url));
        return;
    }
    tickets.comment(id, text);
}

CheckRequest merge(const CheckOptions& o, const UnretirementRequest* from_ticket, const Ticket* ticket) {
    CheckRequest req;
    if (ticket != nullptr) {
        req.ticket_url = ticket->url;
        req.author = ticket->author;
    }
    if (from_ticket != nullptr) {
        req.repo = from_ticket->repo;
        req.branches = from_ticket->branches;
        if (auto bug = review_bug(from_ticket->bug, ticket->comments)) {
            req.bug = bug->id;
            req.bug_source = bug->source;
        }
        req.requester = from_ticket->requester;
        if (!o.package.empty() && (o.package != req.repo.name || (!o.ns.empty() && o.ns != req.repo.ns))) {
            throw UsageError(fmt::format("the ticket asks for {}, not {}/{}", req.repo.fullname(),
                                         o.ns.empty() ? "rpms" : o.ns, o.package));
        }
    } else {
        req.repo = RepoRef{o.ns.empty() ? "rpms" : o.ns, o.package};
    }
    if (!o.branches.empty()) {
        req.branches = o.branches;
    }
    if (o.bug) {
        req.bug = o.bug;
        req.bug_source = "--bug";
    }
    return req;
}

}  // namespace

void check_package(const std::string& package) {
    require_option(valid_package_name(package), "--package", package, "a valid package name");
}

void check_namespace(const std::string& ns) {
    require_option(valid_namespace(ns), "--namespace", ns, "a dist-git namespace");
}

void check_branch(const std::string& branch) {
    require_option(valid_branch(branch), "--branch", branch, "rawhide, fNN or epelN");
}

Output check(const Config& config, const CheckOptions& o) {
    Policy policy = Policy::from_config(config);
    ServicePorts services(config, policy.services());
    Ports ports = services.ports();
    std::optional<std::int64_t> id;
    std::optional<TicketParse> parsed;
    std::optional<Ticket> t;
    std::string url;
    if (!o.ticket.empty()) {
        id = ticket_id(o.ticket, services.tickets());
        t = services.tickets().ticket(*id);
        url = t->url;
        parsed = parse_ticket(t->title, t->body, t->author);
    } else if (o.package.empty()) {
        throw UsageError("give --package, --ticket or both");
    }
    if (o.package.empty() && parsed->kind == TicketParse::Kind::other) {
        return ignored(url);
    }
    CheckReport report;
    if (o.package.empty() && parsed->kind == TicketParse::Kind::malformed) {
        report = malformed_report(parsed->reason, url, policy);
    } else {
        bool usable = parsed && parsed->kind == TicketParse::Kind::request;
        report = releng::unretirement::check(merge(o, usable ? &parsed->request : nullptr, t ? &*t : nullptr), policy,
                                             ports);
    }
    Output out = report_output(report);
    if (o.post) {
        if (!id) {
            throw UsageError("--post needs --ticket");
        }
        post(services.tickets(), *id, out.markdown, o);
    }
    return out;
}

Output unretire(const Config& config, const UnretireOptions& o) {
    Policy policy = Policy::from_config(config);
    ServicePorts services(config, policy.services());
    Ports ports = services.ports();
    if (!o.ticket.empty() && o.ticket.find_first_not_of("0123456789") == std::string::npos) {
        throw UsageError("--ticket: give the ticket's URL");
    }
    std::int64_t id = ticket_id(o.ticket, services.tickets());
    Ticket t = services.tickets().ticket(id);
    TicketParse parsed = parse_ticket(t.title, t.body, t.author);
    CheckOptions co;
    co.package = o.package;
    co.ns = o.ns;
    co.branches = o.branches;
    co.ticket = o.ticket;
    CheckRequest req = merge(co, parsed.kind == TicketParse::Kind::request ? &parsed.request : nullptr, &t);
    if (req.requester.empty()) {
        req.requester = t.author;
    }
    UnretireResult res = releng::unretirement::unretire(req, id, policy, ports, {o.dry_run, o.force});
    Output out;
    out.exit_code = res.failure ? 1 : 0;
    if (res.failure) {
        // One exit code for a failed step, whatever failed in it (flr-unretire(1)).
        out.failure =
            std::make_exception_ptr(Error(fmt::format("step \"{}\" failed: {}", res.failed_step, res.failed_detail())));
    }
    out.markdown = render_steps_markdown(res);
    if (!res.changed && !res.failure) {
        out.markdown += "\nNothing to do: every step was already done.\n";
    }
    Json j{{"package", req.repo.name},        {"namespace", req.repo.ns}, {"ticket", t.url},
           {"changed", res.changed},          {"dry_run", o.dry_run},     {"completed", !res.failure},
           {"check", render_json(res.report)}};
    j["steps"] = steps_json(res.steps);
    j["failed_step"] = res.failure ? Json(res.failed_step) : Json(nullptr);
    out.json = j.dump(2);
    return out;
}

}  // namespace flr::unretirement
