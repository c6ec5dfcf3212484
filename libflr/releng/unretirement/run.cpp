#include "releng/unretirement/run.hpp"

#include "releng/unretirement/render.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <map>

namespace flr::releng::unretirement {

namespace {

class Run {
public:
    Run(const CheckRequest& req, std::int64_t ticket, const Policy& policy, Ports& ports, UnretireResult& res)
        : req_(req), ticket_(ticket), policy_(policy), ports_(ports), res_(res) {}

    std::vector<PlannedStep> plan() {
        std::vector<PlannedStep> out;
        for (const auto& b : res_.report.branches) {
            out.push_back({"git " + b.name, [this, &b](StepContext& s) { git(b, s); }});
            for (const auto& t : b.tags) {
                out.push_back({"koji " + t.tag, [this, tag = t.tag](StepContext& s) { koji(tag, s); }});
            }
        }
        out.push_back({"owner", [this](StepContext& s) { owner(s); }});
        out.push_back({"ticket", [this](StepContext& s) { ticket(s); }});
        return out;
    }

private:
    void git(const BranchReport& b, StepContext& s) {
        BranchState now = ports_.history->branch(req_.repo, b.name);
        if (!now.dead_package) {
            s.already("dead.package is already gone from the head");
            return;
        }
        auto shared = reverted_.find(now.head);
        if (shared != reverted_.end()) {
            if (!s.dry_run()) {
                ports_.history->fast_forward(req_.repo, b.name, shared->second);
            }
            s.changed(fmt::format("shares its history with an unretired branch: moved to {} and pushed",
                                  shared->second.substr(0, 12)));
            return;
        }
        if (!now.retirement) {
            throw Error(fmt::format("{}: no retirement commit found on {}", req_.repo.fullname(), b.name));
        }
        std::string commit = now.retirement->hash;
        std::string head =
            s.dry_run() ? "(revert of " + commit.substr(0, 12) + ")"
                        : ports_.history->revert(req_.repo, b.name, commit, "Unretirement request: " + req_.ticket_url);
        reverted_[now.head] = head;
        s.changed(fmt::format("reverted {} as {} and pushed", commit.substr(0, 12), head.substr(0, 12)));
    }

    void koji(const std::string& tag, StepContext& s) {
        auto blocked = ports_.koji->blocked(tag, req_.repo.name);
        if (!blocked) {
            s.skipped(fmt::format("{} has no entry for {}", tag, req_.repo.name));
        } else if (!*blocked) {
            s.already("not blocked");
        } else {
            if (!s.dry_run()) {
                ports_.koji->unblock(tag, req_.repo.name);
            }
            s.changed("unblocked");
        }
    }

    void owner(StepContext& s) {
        auto project = ports_.projects->project(req_.repo);
        if (!project) {
            throw Error(fmt::format("{} is not a known package", req_.repo.fullname()));
        }
        if (project->owner != "orphan") {
            s.already("owned by " + project->owner);
            return;
        }
        if (req_.requester.empty()) {
            throw Error("the package is orphaned and no requester is known to give it to");
        }
        if (!s.dry_run()) {
            ports_.projects->give(req_.repo, req_.requester);
        }
        s.changed("orphaned: given to " + req_.requester);
    }

    void ticket(StepContext& s) {
        Ticket t = ports_.tickets->ticket(ticket_);
        if (!t.open) {
            s.already("closed" + (t.close_status.empty() ? "" : " as " + t.close_status));
            return;
        }
        if (!s.dry_run()) {
            // The comment lists this step too: say what happens right after it.
            s.announce("closing as " + policy_.close_status + " with this comment");
            ports_.tickets->comment(ticket_, render_steps_markdown(res_));
            ports_.tickets->close(ticket_, policy_.close_status);
        }
        s.changed("commented and closed as " + policy_.close_status);
    }

    const CheckRequest& req_;
    std::int64_t ticket_;
    const Policy& policy_;
    Ports& ports_;
    UnretireResult& res_;
    std::map<std::string, std::string> reverted_;  // old head -> head after the revert
};

std::string refusal(const CheckReport& report) {
    std::string why;
    for (const auto& r : report.reasons) {
        why += (why.empty() ? "" : "; ") + r.text;
    }
    return fmt::format("refused: the verdict is {} ({}); --force overrides", verdict_name(report.verdict), why);
}

}  // namespace

UnretireResult unretire(const CheckRequest& request, std::int64_t ticket_id, const Policy& policy, Ports& ports,
                        const UnretireOptions& options) {
    UnretireResult res;
    CheckRequest resumed = request;
    resumed.resuming = true;
    res.report = check(resumed, policy, ports);
    if (res.report.verdict != Verdict::automatic && !options.force) {
        throw Error(refusal(res.report));
    }
    Run run(request, ticket_id, policy, ports, res);
    run_steps(run.plan(), options.dry_run, res, [&](const StepRecord& record) {
        if (options.dry_run || record.failed_step == "ticket") {
            return;
        }
        try {
            ports.tickets->comment(ticket_id, render_steps_markdown(res));
        } catch (const std::exception& e) {
            log::warning(fmt::format("could not record the failure on the ticket: {}", e.what()));
        }
    });
    return res;
}

std::string render_steps_markdown(const UnretireResult& res) {
    const auto& repo = res.report.repo;
    std::string out = res.failure ? fmt::format("## Unretirement of {} stopped\n\n", markdown_text(repo.fullname()))
                                  : fmt::format("## Unretired {}\n\n", markdown_text(repo.fullname()));
    out += steps_markdown(res.steps);
    if (res.failure) {
        out += "\nThe steps marked done were made; a re-run of flr-unretire finishes the rest.\n";
    }
    return out;
}

}  // namespace flr::releng::unretirement
