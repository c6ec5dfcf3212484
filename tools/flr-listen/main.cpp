// flr-listen: run playbooks and commands for Fedora messages (flr-listen(8)).
#include "cli.hpp"

#include <flr/config.hpp>
#include <flr/listen.hpp>
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
    return tool.run(argc, argv, [&] {
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
