// flr-unretire: revert the retirement, unblock in Koji, give an orphan to the requester,
// comment and close the ticket. Refuses unless the check's verdict is auto (or --force).
#include "cli.hpp"

#include <flr/unretirement.hpp>

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-unretire", "Unretire a package on the branches a ticket asks for.");
    tool.add_config();
    tool.add_dry_run();
    flr::unretirement::UnretireOptions o;
    auto& app = tool.app();
    app.add_option("--package", o.package, "The package to unretire")->required();
    app.add_option("--namespace", o.ns, "dist-git namespace (default: rpms)");
    app.add_option("--branch", o.branches, "A branch to unretire (repeatable)")->required();
    app.add_option("--ticket", o.ticket, "The unretirement ticket's URL")->required();
    app.add_flag("--force", o.force, "Unretire even when the verdict is not auto");
    return tool.run(argc, argv, [&] {
        flr::unretirement::check_package(o.package);
        flr::unretirement::check_namespace(o.ns);
        for (const auto& b : o.branches) {
            flr::unretirement::check_branch(b);
        }
        o.dry_run = tool.options().dry_run;
        auto out = flr::unretirement::unretire(tool.config(), o);
        return tool.report(out.json, out.markdown, out.exit_code, out.failure);
    });
}
