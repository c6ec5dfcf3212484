// flr-scm-request: validate a fedora-scm-requests ticket, then create the repository or
// branch, comment and close. Refuses anything that is not valid; idempotent and resumable.
#include "cli.hpp"

#include <flr/scm.hpp>

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-scm-request", "Process a new repository or branch request.");
    tool.add_config();
    tool.add_dry_run();
    flr::scm::ProcessOptions o;
    auto& app = tool.app();
    app.add_option("--ticket", o.ticket, "The request ticket: its URL or number")->required();
    app.add_flag("--respond", o.respond,
                 "Answer the ticket as the bot does on a bus message (commands, reports, closing)");
    return tool.run(argc, argv, [&] {
        o.dry_run = tool.options().dry_run;
        auto out = flr::scm::process(tool.config(), o);
        return tool.report(out.json, out.markdown, out.exit_code, out.failure);
    });
}
