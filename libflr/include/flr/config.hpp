// YAML configuration, read-only, addressed by dotted keys ("pagure.url").
// The search order (flr.yaml(5)):
//   1. --config FILE                      (refused when running under sudo)
//   2. $FLR_CONFIG                        (ignored under sudo)
//   3. $XDG_CONFIG_HOME/flr/flr.yaml, else ~/.config/flr/flr.yaml (ignored under sudo)
//   4. <sysconfdir>/flr/flr.yaml          (normally /etc/flr/flr.yaml)
// The first file that exists is used; when none does, the configuration is empty.
#pragma once

#include <flr/export.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flr {

class FLR_EXPORT Config {
public:
    Config();
    ~Config();
    Config(const Config&);
    Config& operator=(const Config&);
    Config(Config&&) noexcept;
    Config& operator=(Config&&) noexcept;

    // Throws ConfigError naming the file and line on unreadable or malformed YAML.
    static Config load_file(const std::string& path);
    static Config parse(std::string_view yaml, const std::string& source = "<string>");

    // Where this configuration came from ("" for the empty configuration).
    const std::string& source() const noexcept;

    bool has(std::string_view key) const;
    // Typed getters throw ConfigError when the key exists with the wrong type.
    std::optional<std::string> string(std::string_view key) const;
    std::string string_or(std::string_view key, std::string_view fallback) const;
    std::string required_string(std::string_view key) const;
    std::optional<long long> integer(std::string_view key) const;
    long long integer_or(std::string_view key, long long fallback) const;
    std::optional<bool> boolean(std::string_view key) const;
    bool boolean_or(std::string_view key, bool fallback) const;
    // A scalar or a list of scalars; empty when absent.
    std::vector<std::string> strings(std::string_view key) const;
    // A sub-map as its own Config (empty when absent); list elements by index.
    Config section(std::string_view key) const;
    std::vector<Config> list(std::string_view key) const;
    // Keys of the top-level map (in file order).
    std::vector<std::string> keys() const;

    // Walking any node. While a Config read from a file is a mapping, node() and entries()
    // also reach scalars and lists; where() keeps naming each node's place in the file.
    enum class Kind { null, scalar, list, map };  // null: absent or an explicit null
    Kind kind() const noexcept;
    // The node at `key`, of any kind (Kind::null when absent).
    Config node(std::string_view key) const;
    // A mapping's entries as (key, node) in file order; empty for any other kind.
    std::vector<std::pair<std::string, Config>> entries() const;
    // A list's items, of any kind; empty for any other kind.
    std::vector<Config> items() const;
    // The text of a scalar node; throws ConfigError naming where() for any other kind.
    std::string scalar() const;
    // Refuse keys not in `allowed` at the top level of this (sub)configuration.
    void check_keys(const std::vector<std::string_view>& allowed) const;
    // "file.yaml: key" style prefix for error messages about this node.
    std::string where(std::string_view key = {}) const;

private:
    struct Impl;
    explicit Config(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> impl_;
};

// True when the process runs under sudo (SUDO_USER set) or setuid.
FLR_EXPORT bool running_under_sudo() noexcept;

// The candidate configuration files, in search order, for the current caller.
FLR_EXPORT std::vector<std::string> config_search_path();

// Apply the search order. `explicit_path` is --config; under sudo it is refused
// with a UsageError and the caller's environment is not consulted.
FLR_EXPORT Config find_config(const std::optional<std::string>& explicit_path);

}  // namespace flr
