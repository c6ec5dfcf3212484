#include "core/paths.hpp"

#include <flr/config.hpp>
#include <flr/error.hpp>

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace flr {

struct Config::Impl {
    Impl(YAML::Node n, std::string s, std::string p) : node(std::move(n)), source(std::move(s)), path(std::move(p)) {}
    YAML::Node node;
    std::string source;  // file name
    std::string path;    // dotted path of this node inside the file ("" at the top)
};

namespace {

std::string join_path(const std::string& base, std::string_view key) {
    if (base.empty()) {
        return std::string(key);
    }
    return key.empty() ? base : base + "." + std::string(key);
}

// Walk a dotted key; returns an invalid (undefined) node when a step is missing.
YAML::Node lookup(const YAML::Node& root, std::string_view key) {
    // reset() rebinds; plain assignment would overwrite the node's content.
    YAML::Node node;
    node.reset(root);
    size_t start = 0;
    while (start <= key.size()) {
        size_t dot = key.find('.', start);
        std::string part(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (!node.IsMap()) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        const YAML::Node& current = node;  // const operator[] never inserts
        YAML::Node next = current[part];
        if (!next.IsDefined()) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        node.reset(next);
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return node;
}

}  // namespace

Config::Config() : impl_(std::make_shared<const Impl>(YAML::Node(YAML::NodeType::Map), "", "")) {}
Config::Config(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Config::~Config() = default;
Config::Config(const Config&) = default;
Config& Config::operator=(const Config&) = default;
Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;

Config Config::parse(std::string_view yaml, const std::string& source) {
    YAML::Node node;
    try {
        node = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("{}:{}:{}: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg));
    }
    if (node.IsNull() || !node.IsDefined()) {
        node = YAML::Node(YAML::NodeType::Map);
    }
    if (!node.IsMap()) {
        throw ConfigError(fmt::format("{}: the configuration must be a YAML mapping", source));
    }
    return Config(std::make_shared<const Impl>(std::move(node), source, ""));
}

Config Config::load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(fmt::format("{}: cannot read configuration file", path));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
}

const std::string& Config::source() const noexcept {
    return impl_->source;
}

std::string Config::where(std::string_view key) const {
    std::string path = join_path(impl_->path, key);
    if (impl_->source.empty()) {
        return path;
    }
    return path.empty() ? impl_->source : impl_->source + ": " + path;
}

bool Config::has(std::string_view key) const {
    YAML::Node n = lookup(impl_->node, key);
    return n.IsDefined() && !n.IsNull();
}

std::optional<std::string> Config::string(std::string_view key) const {
    YAML::Node n = lookup(impl_->node, key);
    if (!n.IsDefined() || n.IsNull()) {
        return std::nullopt;
    }
    if (!n.IsScalar()) {
        throw ConfigError(fmt::format("{}: expected a string", where(key)));
    }
    return n.Scalar();
}

std::string Config::string_or(std::string_view key, std::string_view fallback) const {
    auto v = string(key);
    return v ? *v : std::string(fallback);
}

std::string Config::required_string(std::string_view key) const {
    auto v = string(key);
    if (!v || v->empty()) {
        throw ConfigError(fmt::format("{}: required setting is missing", where(key)));
    }
    return *v;
}

std::optional<long long> Config::integer(std::string_view key) const {
    auto s = string(key);
    if (!s) {
        return std::nullopt;
    }
    try {
        size_t used = 0;
        long long v = std::stoll(*s, &used, 10);
        if (used == s->size()) {
            return v;
        }
    } catch (const std::exception&) {
    }
    throw ConfigError(fmt::format("{}: expected an integer, got \"{}\"", where(key), *s));
}

long long Config::integer_or(std::string_view key, long long fallback) const {
    auto v = integer(key);
    return v ? *v : fallback;
}

std::optional<bool> Config::boolean(std::string_view key) const {
    auto s = string(key);
    if (!s) {
        return std::nullopt;
    }
    if (*s == "true" || *s == "yes" || *s == "on") {
        return true;
    }
    if (*s == "false" || *s == "no" || *s == "off") {
        return false;
    }
    throw ConfigError(fmt::format("{}: expected true or false, got \"{}\"", where(key), *s));
}

bool Config::boolean_or(std::string_view key, bool fallback) const {
    auto v = boolean(key);
    return v ? *v : fallback;
}

std::vector<std::string> Config::strings(std::string_view key) const {
    YAML::Node n = lookup(impl_->node, key);
    std::vector<std::string> out;
    if (!n.IsDefined() || n.IsNull()) {
        return out;
    }
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
        return out;
    }
    if (!n.IsSequence()) {
        throw ConfigError(fmt::format("{}: expected a string or a list of strings", where(key)));
    }
    for (const auto& item : n) {
        if (!item.IsScalar()) {
            throw ConfigError(fmt::format("{}: expected a list of strings", where(key)));
        }
        out.push_back(item.Scalar());
    }
    return out;
}

Config Config::section(std::string_view key) const {
    YAML::Node n = lookup(impl_->node, key);
    if (!n.IsDefined() || n.IsNull()) {
        return Config(
            std::make_shared<const Impl>(YAML::Node(YAML::NodeType::Map), impl_->source, join_path(impl_->path, key)));
    }
    if (!n.IsMap()) {
        throw ConfigError(fmt::format("{}: expected a mapping", where(key)));
    }
    return Config(std::make_shared<const Impl>(n, impl_->source, join_path(impl_->path, key)));
}

std::vector<Config> Config::list(std::string_view key) const {
    YAML::Node n = lookup(impl_->node, key);
    std::vector<Config> out;
    if (!n.IsDefined() || n.IsNull()) {
        return out;
    }
    if (!n.IsSequence()) {
        throw ConfigError(fmt::format("{}: expected a list", where(key)));
    }
    size_t i = 0;
    for (const auto& item : n) {
        std::string path = fmt::format("{}[{}]", join_path(impl_->path, key), i++);
        if (!item.IsMap()) {
            throw ConfigError(fmt::format("{}: {}: expected a mapping", impl_->source, path));
        }
        out.push_back(Config(std::make_shared<const Impl>(item, impl_->source, path)));
    }
    return out;
}

Config::Kind Config::kind() const noexcept {
    const YAML::Node& n = impl_->node;
    return !n.IsDefined() || n.IsNull() ? Kind::null
           : n.IsScalar()               ? Kind::scalar
           : n.IsSequence()             ? Kind::list
                                        : Kind::map;
}

Config Config::node(std::string_view key) const {
    return Config(std::make_shared<const Impl>(lookup(impl_->node, key), impl_->source, join_path(impl_->path, key)));
}

std::vector<std::pair<std::string, Config>> Config::entries() const {
    std::vector<std::pair<std::string, Config>> out;
    if (impl_->node.IsMap()) {
        for (const auto& kv : impl_->node) {
            std::string key = kv.first.Scalar();
            out.emplace_back(
                key, Config(std::make_shared<const Impl>(kv.second, impl_->source, join_path(impl_->path, key))));
        }
    }
    return out;
}

std::vector<Config> Config::items() const {
    std::vector<Config> out;
    if (impl_->node.IsSequence()) {
        std::size_t i = 0;
        for (const auto& item : impl_->node) {
            out.push_back(
                Config(std::make_shared<const Impl>(item, impl_->source, fmt::format("{}[{}]", impl_->path, i++))));
        }
    }
    return out;
}

std::string Config::scalar() const {
    if (!impl_->node.IsScalar()) {
        throw ConfigError(fmt::format("{}: expected a value", where()));
    }
    return impl_->node.Scalar();
}

std::vector<std::string> Config::keys() const {
    std::vector<std::string> out;
    if (impl_->node.IsMap()) {
        for (const auto& kv : impl_->node) {
            out.push_back(kv.first.Scalar());
        }
    }
    return out;
}

void Config::check_keys(const std::vector<std::string_view>& allowed) const {
    for (const auto& k : keys()) {
        bool ok = false;
        for (auto a : allowed) {
            ok = ok || a == k;
        }
        if (!ok) {
            throw ConfigError(fmt::format("{}: unknown setting", where(k)));
        }
    }
}

bool running_under_sudo() noexcept {
    return std::getenv("SUDO_USER") != nullptr || getuid() != geteuid() || getgid() != getegid();
}

std::vector<std::string> config_search_path() {
    std::vector<std::string> out;
    if (!running_under_sudo()) {
        if (const char* env = std::getenv("FLR_CONFIG"); env && *env) {
            out.emplace_back(env);
        }
        if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
            out.push_back(std::string(xdg) + "/flr/flr.yaml");
        } else if (const char* home = std::getenv("HOME"); home && *home) {
            out.push_back(std::string(home) + "/.config/flr/flr.yaml");
        }
    }
    out.push_back(std::string(paths::sysconfdir) + "/flr.yaml");
    return out;
}

Config find_config(const std::optional<std::string>& explicit_path) {
    if (explicit_path) {
        if (running_under_sudo()) {
            throw UsageError("--config is not accepted under sudo; the system configuration is used");
        }
        return Config::load_file(*explicit_path);
    }
    for (const auto& candidate : config_search_path()) {
        std::error_code ec;
        if (std::filesystem::exists(candidate, ec)) {
            return Config::load_file(candidate);
        }
    }
    return Config();
}

}  // namespace flr
