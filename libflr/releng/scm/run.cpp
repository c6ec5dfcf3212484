#include "releng/scm/run.hpp"

#include "releng/markdown.hpp"
#include "releng/scm/render.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::releng::scm {

namespace {

bool default_branch(const std::string& b) {
    return b.empty() || b == "rawhide" || b == "main" || b == "master";
}

}  // namespace

std::string bug_comment(const std::string& repo_url) {
    return "The Pagure repository was created at " + repo_url;
}

std::vector<PlannedStep> branch_steps(const RepoRef& repo, const std::string& branch, const std::string& from,
                                      Ports& ports) {
    return {{"branch " + branch, [&ports, repo, branch, from](StepContext& s) {
                 auto heads = ports.repos->branches(repo);
                 if (heads.count(branch) > 0) {
                     s.already(fmt::format("{} exists at {}", branch, heads[branch].substr(0, 12)));
                     return;
                 }
                 auto head = heads.find(from);
                 if (head == heads.end()) {
                     if (s.dry_run()) {
                         s.changed(fmt::format("would create {} from {}'s head", branch, from));
                         return;
                     }
                     throw Error(fmt::format("{} has no {} branch to start {} from", repo.fullname(), from, branch));
                 }
                 if (!s.dry_run()) {
                     ports.repos->create_branch(repo, branch, head->second);
                 }
                 s.changed(fmt::format("created from {} at {}", from, head->second.substr(0, 12)));
             }}};
}

std::vector<PlannedStep> repo_steps(const ScmRequest& req, const std::string& main_admin, Ports& ports) {
    std::vector<PlannedStep> out;
    RepoRef repo = req.repo;
    out.push_back({"repository", [&ports, req](StepContext& s) {
                       if (ports.repos->access(req.repo)) {
                           s.already(req.repo.fullname() + " exists");
                           return;
                       }
                       if (!s.dry_run()) {
                           NewRepo n;
                           n.repo = req.repo;
                           // dist-git requires one; fedscm-admin's default otherwise.
                           n.description = !req.description.empty() ? req.description
                                           : !req.summary.empty()   ? req.summary
                                                                    : "The " + req.repo.name + " package";
                           n.upstream_url = req.upstream_url;
                           n.initial_commit = req.initial_commit;
                           ports.repos->create(n);
                       }
                       s.changed("created " + req.repo.fullname());
                   }});
    out.push_back({"main admin", [&ports, repo, main_admin](StepContext& s) {
                       auto access = ports.repos->access(repo);
                       if (access && access->main_admin == main_admin) {
                           s.already(main_admin);
                           return;
                       }
                       if (!s.dry_run()) {
                           ports.repos->set_main_admin(repo, main_admin);
                       }
                       s.changed("set to " + main_admin);
                   }});
    if (!req.monitor.empty()) {
        out.push_back({"monitoring", [&ports, repo, monitor = req.monitor](StepContext& s) {
                           if (ports.repos->access(repo) && ports.repos->monitoring(repo) == monitor) {
                               s.already(monitor);
                               return;
                           }
                           if (!s.dry_run()) {
                               ports.repos->set_monitoring(repo, monitor);
                           }
                           s.changed("set to " + monitor);
                       }});
    }
    if (!default_branch(req.branch)) {
        auto b = branch_steps(repo, req.branch, "rawhide", ports);
        out.insert(out.end(), b.begin(), b.end());
    }
    if (req.bug) {
        out.push_back({"review bug", [&ports, repo, bug = *req.bug](StepContext& s) {
                           std::string text = bug_comment(ports.repos->url(repo));
                           if (ports.reviews->has_comment(bug, text)) {
                               s.already(fmt::format("bug {} has the comment", bug));
                               return;
                           }
                           if (!s.dry_run()) {
                               ports.reviews->comment(bug, text);
                           }
                           s.changed(fmt::format("commented on bug {}", bug));
                       }});
    }
    return out;
}

RunResult process(const Report& report, std::int64_t ticket, const Policy& policy, Ports& ports, bool dry_run) {
    RunResult res;
    res.report = report;
    const ScmRequest& req = report.request;
    std::vector<PlannedStep> plan;
    if (req.action == Action::new_repo) {
        plan = repo_steps(req, report.author, ports);
    } else if (req.create_git_branch) {
        plan = branch_steps(req.repo, req.branch, "rawhide", ports);
    } else {
        plan.push_back({"branch " + req.branch, [](StepContext& s) { s.skipped("create_git_branch is false"); }});
    }
    plan.push_back({"ticket", [&](StepContext& s) {
                        Ticket t = ports.tickets->ticket(ticket);
                        if (!t.open) {
                            s.already("closed" + (t.close_status.empty() ? "" : " as " + t.close_status));
                            return;
                        }
                        if (!s.dry_run()) {
                            s.announce("closing as " + policy.close_processed + " with this comment");
                            ports.tickets->comment(ticket, render_steps_markdown(res, policy.bot_name));
                            ports.tickets->close(ticket, policy.close_processed);
                        }
                        s.changed("commented and closed as " + policy.close_processed);
                    }});
    run_steps(plan, dry_run, res, [&](const StepRecord& record) {
        if (dry_run || record.failed_step == "ticket") {
            return;
        }
        try {
            ports.tickets->comment(ticket, render_steps_markdown(res, policy.bot_name));
        } catch (const std::exception& e) {
            log::warning(fmt::format("could not record the failure on the ticket: {}", e.what()));
        }
    });
    return res;
}

std::string render_steps_markdown(const RunResult& res, const std::string& bot) {
    const auto& q = res.report.request;
    std::string what = q.action == Action::new_repo
                           ? "repository " + markdown_text(q.repo.fullname())
                           : fmt::format("branch {} of {}", markdown_text(q.branch), markdown_text(q.repo.fullname()));
    std::string out = res.failure ? fmt::format("{}: {}\n\n", stopped_heading, what)
                                  : fmt::format("## Request processed: {}\n\n", what);
    out += steps_markdown(res.steps);
    if (res.failure) {
        out += fmt::format("\nThe steps marked done were made; `@{} retry` finishes the rest.\n", bot);
    }
    return out;
}

}  // namespace flr::releng::scm
