// flr-check-scm-request: every check of a fedora-scm-requests ticket with its result and
// the verdict, as Markdown (or posted on the ticket) or JSON; the verdict as exit code.
#include "cli.hpp"

#include <flr/scm.hpp>

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-check-scm-request", "Check a new repository or branch request.");
    tool.add_config();
    tool.add_dry_run();
    flr::scm::CheckOptions o;
    auto& app = tool.app();
    app.add_option("--ticket", o.ticket, "The request ticket: its URL or number")->required();
    app.add_flag("--post", o.post, "Comment the report on the ticket");
    return tool.run(argc, argv, [&] {
        o.dry_run = tool.options().dry_run;
        auto out = flr::scm::check(tool.config(), o);
        return tool.report(out.json, out.markdown, out.exit_code);
    });
}
