// flr-create-repo: create a dist-git repository with its main admin and monitoring (and
// an extra branch), each step only when not already done.
#include "cli.hpp"

#include <flr/scm.hpp>

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-create-repo", "Create a dist-git repository.");
    tool.add_config();
    tool.add_dry_run();
    flr::scm::CreateRepoOptions o;
    auto& app = tool.app();
    app.add_option("--namespace", o.ns, "dist-git namespace (default: rpms)");
    app.add_option("--name", o.name, "The repository's name")->required();
    app.add_option("--main-admin", o.main_admin, "Its main admin (a Fedora account)")->required();
    app.add_option("--description", o.description, "Its description");
    app.add_option("--upstream-url", o.upstream_url, "The upstream project's URL");
    app.add_option("--monitor", o.monitor, "Release monitoring (default: no-monitoring)");
    app.add_option("--branch", o.branch, "An extra branch to create from rawhide");
    return tool.run(argc, argv, [&] {
        flr::scm::check_namespace(o.ns);
        flr::scm::check_repo_name(o.name);
        flr::scm::check_user(o.main_admin);
        flr::scm::check_monitor(o.monitor);
        if (!o.branch.empty()) {
            flr::scm::check_branch_name(o.branch);
        }
        o.dry_run = tool.options().dry_run;
        auto out = flr::scm::create_repo(tool.config(), o);
        return tool.report(out.json, out.markdown, out.exit_code, out.failure);
    });
}
