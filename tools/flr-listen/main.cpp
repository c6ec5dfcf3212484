// flr-listen: run playbooks and commands for Fedora messages (flr-listen(8)).
#include "cli.hpp"

#include <flr/config.hpp>
#include <flr/listen.hpp>
#include <flr/listen_history.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace {

nlohmann::json to_json(const flr::listen::Summary& s) {
    return {{"received", s.received},   {"routed", s.routed}, {"unrouted", s.unrouted}, {"invalid", s.invalid},
            {"succeeded", s.succeeded}, {"failed", s.failed}, {"retried", s.retried},   {"seconds", s.seconds}};
}

std::string to_text(const flr::listen::Summary& s) {
    return fmt::format(
        "messages: {} received, {} routed, {} unrouted, {} invalid\n"
        "jobs:     {} succeeded, {} failed ({} retries)\n",
        s.received, s.routed, s.unrouted, s.invalid, s.succeeded, s.failed, s.retried);
}

nlohmann::json to_json(const flr::listen::HistoryEntry& e) {
    return {{"message_id", e.message_id},
            {"topic", e.topic},
            {"route", e.route},
            {"attempt", e.attempt},
            {"started", e.started},
            {"ended", e.ended},
            {"seconds", e.seconds},
            {"exit_status", e.exit_status},
            {"signal", e.signal},
            {"status", e.status},
            {"outcome", e.outcome},
            {"output", e.output},
            {"batch", e.batch}};
}

std::string to_text(const flr::listen::HistoryEntry& e) {
    return fmt::format("{}  {:<13}  {}  {}  {}  attempt {}  {}  {:.1f}s{}\n", e.ended, e.outcome, e.route, e.topic,
                       e.message_id.empty() ? "-" : e.message_id, e.attempt, e.status, e.seconds,
                       e.batch.empty() ? "" : "  batch " + e.batch);
}

}  // namespace

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-listen", "Run playbooks and commands for Fedora messages from RabbitMQ or a replay file.");
    std::string config_path;
    std::string replay;
    tool.app()
        .add_option("-c,--config", config_path, "flr-listen configuration (see flr-listen.yaml(5))")
        ->type_name("FILE")
        ->required();
    tool.app()
        .add_option("--replay", replay, "Process the messages of FILE (JSON lines or array) and exit")
        ->type_name("FILE");
    flr::listen::HistoryQuery query;
    auto* history = tool.app().add_subcommand("history", "List the jobs the journal recorded (readable while running)");
    history->fallthrough();  // --config and --json may follow the subcommand
    history->add_option("--since", query.since, "Jobs that ended since T: 90m, 2h, 7d, 2026-11-30, 2026-11-30T08:00Z")
        ->type_name("T");
    history->add_option("--route", query.route, "Jobs of route R")->type_name("R");
    history->add_option("--topic", query.topic, "Jobs whose topic matches PATTERN (* one word, # any)")
        ->type_name("PATTERN");
    history->add_option("--message-id", query.message_id, "Jobs of the message with this id")->type_name("ID");
    history->add_flag("--failed", query.failed, "Only failed and dead-lettered jobs");
    return tool.run(argc, argv, [&] {
        if (history->parsed()) {
            auto entries = flr::listen::history(flr::Config::load_file(config_path), query);
            if (tool.json()) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& e : entries) {
                    out.push_back(to_json(e));
                }
                tool.print_json(out);
            }
            for (const auto& e : entries) {
                tool.print(to_text(e));
            }
            return 0;
        }
        flr::listen::Listener listener(flr::Config::load_file(config_path));
        if (replay.empty()) {
            listener.run();
            return 0;
        }
        flr::listen::Summary s = listener.replay(replay);
        if (tool.json()) {
            tool.print_json(to_json(s));
        } else {
            tool.print(to_text(s));
        }
        return s.failed > 0 ? 1 : 0;
    });
}
