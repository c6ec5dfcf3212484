// flr-check-unretirement: everything a release engineer checks before unretiring a
// package, as a ticket comment (Markdown) or JSON, with the verdict as exit code.
#include "cli.hpp"

#include <flr/unretirement.hpp>

#include <iostream>

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-check-unretirement", "Check whether a retired package may be unretired.");
    tool.add_config();
    tool.add_dry_run();
    flr::unretirement::CheckOptions o;
    std::int64_t bug = 0;
    auto& app = tool.app();
    app.add_option("--package", o.package, "The package (default: the one the ticket names)");
    app.add_option("--namespace", o.ns, "dist-git namespace (default: the ticket's, else rpms)");
    app.add_option("--branch", o.branches, "A branch to check (repeatable; default: rawhide)");
    app.add_option("--ticket", o.ticket, "The unretirement ticket: its URL or number");
    auto* bug_opt = app.add_option("--bug", bug, "The re-review bug (default: the one the ticket names)");
    app.add_flag("--post", o.post, "Comment the report on the ticket (an open one)");
    app.add_flag("--post-closed", o.post_closed, "With --post: comment on a closed ticket too");
    return tool.run(argc, argv, [&] {
        if (!o.package.empty()) {
            flr::unretirement::check_package(o.package);
        }
        if (!o.ns.empty()) {
            flr::unretirement::check_namespace(o.ns);
        }
        for (const auto& b : o.branches) {
            flr::unretirement::check_branch(b);
        }
        if (bug_opt->count() > 0) {
            if (bug <= 0) {
                throw flr::UsageError("--bug: not a bug number");
            }
            o.bug = bug;
        }
        o.dry_run = tool.options().dry_run;
        auto out = flr::unretirement::check(tool.config(), o);
        return tool.report(out.json, out.markdown, out.exit_code);
    });
}
