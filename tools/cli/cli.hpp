// The CLI layer every flr binary shares: common options, config loading, output,
// and the one catch ladder that maps flr::Error to documented exit codes.
//
//   int main(int argc, char** argv) {
//       flr::cli::Tool tool("flr-thing", "Does one thing.");
//       tool.add_dry_run();
//       auto* opt = tool.app().add_option("--package", package, "...")->required();
//       return tool.run(argc, argv, [&] { ...; return 0; });
//   }
#pragma once

#include <flr/config.hpp>
#include <flr/error.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace flr::cli {

struct Options {
    bool json = false;
    bool verbose = false;
    bool quiet = false;
    bool dry_run = false;
    std::optional<std::string> config_path;
};

class Tool {
public:
    // `mutating` tools get --dry-run.
    Tool(std::string name, std::string description);

    CLI::App& app() noexcept { return app_; }
    const Options& options() const noexcept { return options_; }
    const std::string& name() const noexcept { return name_; }

    // Adds --dry-run (every tool that changes anything must call this).
    void add_dry_run();
    // Adds --config FILE (tools that read flr.yaml(5)).
    void add_config();
    // The configuration after the search order (and the sudo rules) applied.
    const Config& config();

    // Parse, run `body` inside the catch ladder, return the exit code.
    int run(int argc, char** argv, const std::function<int()>& body);

    // Output helpers: results on stdout. In --json mode print only JSON: exactly one
    // document, printed when `body` returns. When it throws, the catch ladder prints that
    // document with "error" added (or {"error": ...} alone), so stdout always holds one
    // JSON document.
    bool json() const noexcept { return options_.json; }
    void print_json(const nlohmann::json& value);
    void print(const std::string& text) const;  // ignored in --json mode
    // An operation's report: its JSON document in --json mode, else its text; then its
    // exit code, or its failure (a step that failed after others were done) rethrown for
    // the catch ladder, which adds the error to the document.
    int report(const std::string& json, const std::string& text, int exit_code,
               const std::exception_ptr& failure = nullptr);

private:
    int fail(const std::string& kind, const std::string& message, int code);
    void emit_json(const nlohmann::json& value) const;

    std::string name_;
    CLI::App app_;
    Options options_;
    std::optional<Config> config_;
    std::optional<nlohmann::json> document_;  // the --json result, printed at the end
};

// Text a tool takes from a file named on its command line, or from stdin for "-".
// Under sudo only "-" is accepted, so that a sudo rule cannot be used to post a file that
// only root can read. Empty text or more than 256 KiB is a UsageError naming `what`.
std::string read_text(const std::string& path, std::string_view what);

// Print a usage error exactly as the catch ladder would; for tools with custom checks.
[[noreturn]] void usage_error(const std::string& message);

}  // namespace flr::cli
