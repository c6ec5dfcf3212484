// flr-version: what flr is installed, what it was built with, and which
// configuration file a tool would read from here.
#include "cli.hpp"

#include <flr/components.hpp>
#include <flr/config.hpp>
#include <flr/version.hpp>

#include <fmt/format.h>

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-version", "Show the flr version, its libraries and the configuration in use.");
    tool.add_config();
    return tool.run(argc, argv, [&] {
        const auto& config = tool.config();
        auto components = flr::component_versions();
        auto search = flr::config_search_path();
        if (tool.json()) {
            nlohmann::json j;
            for (const auto& [name, ver] : components) {
                j["components"][name] = ver;
            }
            j["version"] = flr::version();
            j["config"] = config.source().empty() ? nlohmann::json(nullptr) : nlohmann::json(config.source());
            j["config_search_path"] = search;
            j["under_sudo"] = flr::running_under_sudo();
            tool.print_json(j);
            return 0;
        }
        std::string out = fmt::format("flr {}\n", flr::version());
        for (const auto& [name, ver] : components) {
            out += fmt::format("  {:<14} {}\n", name, ver);
        }
        out += fmt::format("configuration: {}\n", config.source().empty() ? "(none found)" : config.source());
        for (const auto& path : search) {
            out += fmt::format("  searched: {}\n", path);
        }
        tool.print(out);
        return 0;
    });
}
