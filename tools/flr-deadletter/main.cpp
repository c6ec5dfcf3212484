// flr-deadletter: list, show, re-inject and purge flr-listen's dead letters (flr-deadletter(1)).
#include "cli.hpp"

#include <flr/config.hpp>
#include <flr/deadletter.hpp>

#include <fmt/format.h>

namespace {

using flr::deadletter::Letter;

nlohmann::json to_json(const Letter& l, bool full) {
    nlohmann::json j = {{"id", l.id},
                        {"route", l.route},
                        {"reason", l.reason},
                        {"status", l.status},
                        {"exit_status", l.exit_status},
                        {"attempts", l.attempts},
                        {"topic", l.topic},
                        {"exchange", l.exchange},
                        {"queue", l.queue},
                        {"failed_at", l.failed_at}};
    if (full) {
        j["output"] = l.output;
        j["headers"] = nlohmann::json::parse(l.headers, nullptr, false);
        auto body = nlohmann::json::parse(l.body, nullptr, false);
        j["body"] = body.is_discarded() ? nlohmann::json(l.body) : body;
    }
    return j;
}

std::string line(const Letter& l) {
    return fmt::format("{}  {}  {}  {}  {}\n", l.failed_at.empty() ? "-" : l.failed_at, l.id.empty() ? "-" : l.id,
                       l.route.empty() ? "-" : l.route, l.topic, l.reason);
}

std::string details(const Letter& l) {
    return fmt::format(
        "id:        {}\nroute:     {}\nreason:    {}\nstatus:    {}\nattempts:  {}\ntopic:     {}\n"
        "queue:     {}\nfailed at: {}\nheaders:   {}\nbody:      {}\noutput:\n{}\n",
        l.id, l.route, l.reason, l.status, l.attempts, l.topic, l.queue, l.failed_at, l.headers, l.body, l.output);
}

}  // namespace

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-deadletter", "List, show, re-inject and purge the dead letters of flr-listen.");
    std::string config_path;
    flr::deadletter::Selection sel;
    auto& app = tool.app();
    app.add_option("-c,--config", config_path, "flr-listen configuration (see flr-listen.yaml(5))")
        ->type_name("FILE")
        ->required();
    tool.add_dry_run();
    app.require_subcommand(1, 1);
    auto* list = app.add_subcommand("list", "List dead letters (all, or those selected)");
    auto* show = app.add_subcommand("show", "Show dead letters in full: headers, body, output");
    auto* reinject = app.add_subcommand("reinject", "Publish dead letters back to the work queue");
    auto* purge = app.add_subcommand("purge", "Delete dead letters");
    for (auto* sub : {list, show, reinject, purge}) {
        sub->add_option("--id", sel.ids, "Select the dead letter with this message id (repeatable)")->type_name("ID");
        sub->add_option("--route", sel.routes, "Select the dead letters of this route (repeatable)")
            ->type_name("ROUTE");
    }
    for (auto* sub : {reinject, purge}) {
        sub->add_flag("--all", sel.all, "Select every dead letter");
    }
    return tool.run(argc, argv, [&] {
        bool mutating = reinject->parsed() || purge->parsed();
        if (mutating && !sel.all && sel.ids.empty() && sel.routes.empty()) {
            flr::cli::usage_error("select dead letters with --all, --id or --route");
        }
        flr::deadletter::Store store(flr::Config::load_file(config_path));
        bool dry = tool.options().dry_run;
        std::vector<Letter> letters = reinject->parsed() ? store.reinject(sel, dry)
                                      : purge->parsed()  ? store.purge(sel, dry)
                                                         : store.list(sel);
        if (tool.json()) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& l : letters) {
                out.push_back(to_json(l, show->parsed()));
            }
            tool.print_json({{"queue", store.queue()}, {"dry_run", dry && mutating}, {"letters", out}});
        } else {
            std::string verb = reinject->parsed() ? "re-injected" : purge->parsed() ? "purged" : "";
            for (const auto& l : letters) {
                tool.print(show->parsed() ? details(l) : line(l));
            }
            if (mutating) {
                tool.print(dry ? fmt::format("{} dead letter(s) would be {} (dry run)\n", letters.size(), verb)
                               : fmt::format("{} dead letter(s) {}\n", letters.size(), verb));
            }
        }
        return show->parsed() && letters.empty() ? 1 : 0;
    });
}
