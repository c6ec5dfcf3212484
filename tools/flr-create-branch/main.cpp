// flr-create-branch: create a branch of a dist-git repository at another branch's head
// (rawhide's by default), unless it already exists.
#include "cli.hpp"

#include <flr/scm.hpp>

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-create-branch", "Create a branch of a dist-git repository.");
    tool.add_config();
    tool.add_dry_run();
    flr::scm::CreateBranchOptions o;
    auto& app = tool.app();
    app.add_option("--namespace", o.ns, "dist-git namespace (default: rpms)");
    app.add_option("--name", o.name, "The repository's name")->required();
    app.add_option("--branch", o.branch, "The branch to create")->required();
    app.add_option("--from", o.from, "The branch whose head it starts at (default: rawhide)");
    return tool.run(argc, argv, [&] {
        flr::scm::check_namespace(o.ns);
        flr::scm::check_repo_name(o.name);
        flr::scm::check_branch_name(o.branch);
        flr::scm::check_branch_name(o.from, "--from");
        o.dry_run = tool.options().dry_run;
        auto out = flr::scm::create_branch(tool.config(), o);
        return tool.report(out.json, out.markdown, out.exit_code, out.failure);
    });
}
