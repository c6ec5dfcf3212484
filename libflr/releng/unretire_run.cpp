#include "releng/unretire_run.hpp"

#include "releng/unretire_render.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <functional>
#include <map>

namespace flr::releng {

namespace {

struct Planned {
    std::string what;
    std::function<void(Step&)> run;
};

class Run {
public:
    Run(const CheckRequest& req, std::int64_t ticket, const Policy& policy, Ports& ports, const UnretireOptions& opt,
        UnretireResult& res)
        : req_(req), ticket_(ticket), policy_(policy), ports_(ports), opt_(opt), res_(res) {}

    std::vector<Planned> plan() {
        std::vector<Planned> out;
        for (const auto& b : res_.report.branches) {
            out.push_back({"git " + b.name, [this, &b](Step& s) { git(b, s); }});
            for (const auto& t : b.tags) {
                out.push_back({"koji " + t.tag, [this, tag = t.tag](Step& s) { koji(tag, s); }});
            }
        }
        out.push_back({"owner", [this](Step& s) { owner(s); }});
        out.push_back({"ticket", [this](Step& s) { ticket(s); }});
        return out;
    }

private:
    void changed(Step& s, std::string detail) {
        s.status = opt_.dry_run ? StepStatus::would : StepStatus::done;
        s.detail = std::move(detail);
        res_.changed = true;
    }

    void git(const BranchReport& b, Step& s) {
        BranchState now = ports_.distgit->branch(req_.repo, b.name);
        if (!now.dead_package) {
            s.status = StepStatus::already;
            s.detail = "dead.package is already gone from the head";
            return;
        }
        auto shared = reverted_.find(now.head);
        if (shared != reverted_.end()) {
            if (!opt_.dry_run) {
                ports_.distgit->fast_forward(req_.repo, b.name, shared->second);
            }
            changed(s, fmt::format("shares its history with an unretired branch: moved to {} and pushed",
                                   shared->second.substr(0, 12)));
            return;
        }
        if (!now.retirement) {
            throw Error(fmt::format("{}: no retirement commit found on {}", req_.repo.fullname(), b.name));
        }
        std::string commit = now.retirement->hash;
        std::string head = opt_.dry_run ? "(revert of " + commit.substr(0, 12) + ")"
                                        : ports_.distgit->revert(req_.repo, b.name, commit,
                                                                 "Unretirement request: " + req_.ticket_url);
        reverted_[now.head] = head;
        changed(s, fmt::format("reverted {} as {} and pushed", commit.substr(0, 12), head.substr(0, 12)));
    }

    void koji(const std::string& tag, Step& s) {
        auto blocked = ports_.koji->blocked(tag, req_.repo.name);
        if (!blocked) {
            s.status = StepStatus::skipped;
            s.detail = fmt::format("{} has no entry for {}", tag, req_.repo.name);
        } else if (!*blocked) {
            s.status = StepStatus::already;
            s.detail = "not blocked";
        } else {
            if (!opt_.dry_run) {
                ports_.koji->unblock(tag, req_.repo.name);
            }
            changed(s, "unblocked");
        }
    }

    void owner(Step& s) {
        auto project = ports_.packages->project(req_.repo);
        if (!project) {
            throw Error(fmt::format("{} is not a known package", req_.repo.fullname()));
        }
        if (project->owner != "orphan") {
            s.status = StepStatus::already;
            s.detail = "owned by " + project->owner;
            return;
        }
        if (req_.requester.empty()) {
            throw Error("the package is orphaned and no requester is known to give it to");
        }
        if (!opt_.dry_run) {
            ports_.packages->give(req_.repo, req_.requester);
        }
        changed(s, "orphaned: given to " + req_.requester);
    }

    void ticket(Step& s) {
        Ticket t = ports_.tickets->ticket(ticket_);
        if (!t.open) {
            s.status = StepStatus::already;
            s.detail = "closed" + (t.close_status.empty() ? "" : " as " + t.close_status);
            return;
        }
        if (!opt_.dry_run) {
            // The comment lists this step too: say what happens right after it.
            s.status = StepStatus::done;
            s.detail = "closing as " + policy_.close_status + " with this comment";
            ports_.tickets->comment(ticket_, render_steps_markdown(res_));
            ports_.tickets->close(ticket_, policy_.close_status);
        }
        changed(s, "commented and closed as " + policy_.close_status);
    }

    const CheckRequest& req_;
    std::int64_t ticket_;
    const Policy& policy_;
    Ports& ports_;
    const UnretireOptions& opt_;
    UnretireResult& res_;
    std::map<std::string, std::string> reverted_;  // old head -> head after the revert
};

void comment_failure(const UnretireResult& res, std::int64_t ticket, Ports& ports) {
    try {
        ports.tickets->comment(ticket, render_steps_markdown(res));
    } catch (const std::exception& e) {
        log::warning(fmt::format("could not record the failure on the ticket: {}", e.what()));
    }
}

std::string refusal(const CheckReport& report) {
    std::string why;
    for (const auto& r : report.reasons) {
        why += (why.empty() ? "" : "; ") + r.text;
    }
    return fmt::format("refused: the verdict is {} ({}); --force overrides", verdict_name(report.verdict), why);
}

}  // namespace

const char* step_status_name(StepStatus status) {
    switch (status) {
        case StepStatus::done:
            return "done";
        case StepStatus::already:
            return "already done";
        case StepStatus::would:
            return "would do";
        case StepStatus::skipped:
            return "skipped";
        case StepStatus::failed:
            return "FAILED";
        case StepStatus::not_run:
            break;
    }
    return "not run";
}

UnretireResult unretire(const CheckRequest& request, std::int64_t ticket_id, const Policy& policy, Ports& ports,
                        const UnretireOptions& options) {
    UnretireResult res;
    CheckRequest resumed = request;
    resumed.resuming = true;
    res.report = check(resumed, policy, ports);
    if (res.report.verdict != Verdict::automatic && !options.force) {
        throw Error(refusal(res.report));
    }
    Run run(request, ticket_id, policy, ports, options, res);
    auto plan = run.plan();
    for (const auto& p : plan) {
        res.steps.push_back({p.what, StepStatus::not_run, {}});
    }
    for (std::size_t i = 0; i < plan.size(); ++i) {
        try {
            plan[i].run(res.steps[i]);
        } catch (const std::exception& e) {
            res.steps[i].status = StepStatus::failed;
            res.steps[i].detail = e.what();
            res.failure = std::current_exception();
            if (!options.dry_run && plan[i].what != "ticket") {
                comment_failure(res, ticket_id, ports);
            }
            break;
        }
    }
    return res;
}

std::string render_steps_markdown(const UnretireResult& res) {
    const auto& repo = res.report.repo;
    std::string out = res.failure ? fmt::format("## Unretirement of {} stopped\n\n", markdown_text(repo.fullname()))
                                  : fmt::format("## Unretired {}\n\n", markdown_text(repo.fullname()));
    for (const auto& s : res.steps) {
        out += fmt::format("- {}: {}{}\n", s.what, step_status_name(s.status),
                           s.detail.empty() ? "" : " (" + markdown_text(s.detail, 300) + ")");
    }
    if (res.failure) {
        out += "\nThe steps marked done were made; a re-run of flr-unretire finishes the rest.\n";
    }
    return out;
}

}  // namespace flr::releng
