#include "releng/image/state.hpp"

#include "core/fs.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace flr::releng::image {

using Json = nlohmann::json;

namespace {

Result<Json> object(std::string_view text) {
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return Problem{"not a JSON object"};
    }
    return j;
}

bool string_field(const Json& j, const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
        return false;
    }
    out = it->get<std::string>();
    return true;
}

bool id_field(const Json& j, const char* key, std::int64_t& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0) {
        return false;
    }
    out = it->get<std::int64_t>();
    return true;
}

bool is_hash(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

template <class T>
std::optional<T> read(const std::string& path, Result<T> (*decode)(std::string_view)) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return std::nullopt;
    }
    auto r = decode(fs::read_file(path));
    if (!r) {
        throw ConfigError(fmt::format("{}: {}", path, r.error()));
    }
    return r.value();
}

}  // namespace

Result<RebuildState> rebuild_state_from_json(std::string_view text) {
    auto j = object(text);
    if (!j) {
        return j.problem();
    }
    RebuildState s;
    if (!id_field(*j, "task_id", s.task_id)) {
        return Problem{"task_id: not a task id"};
    }
    if (!string_field(*j, "input_hash", s.input_hash) || !is_hash(s.input_hash)) {
        return Problem{"input_hash: not a SHA-256 in hex"};
    }
    string_field(*j, "submitted_at", s.submitted_at);
    return s;
}

Result<ReleaseState> release_state_from_json(std::string_view text) {
    auto j = object(text);
    if (!j) {
        return j.problem();
    }
    ReleaseState s;
    if (!id_field(*j, "build_id", s.build_id)) {
        return Problem{"build_id: not a build id"};
    }
    if (!string_field(*j, "nvr", s.nvr) || s.nvr.empty()) {
        return Problem{"nvr: missing"};
    }
    string_field(*j, "released_at", s.released_at);
    return s;
}

std::string to_json(const RebuildState& s) {
    return Json{{"task_id", s.task_id}, {"input_hash", s.input_hash}, {"submitted_at", s.submitted_at}}.dump(2) + "\n";
}

std::string to_json(const ReleaseState& s) {
    return Json{{"build_id", s.build_id}, {"nvr", s.nvr}, {"released_at", s.released_at}}.dump(2) + "\n";
}

std::string state_path(const std::string& state_dir, const std::string& image, int release, std::string_view kind) {
    return fmt::format("{}/image/{}-{}.{}.json", state_dir, image, release, kind);
}

std::optional<RebuildState> read_rebuild_state(const std::string& path) {
    return read(path, rebuild_state_from_json);
}

std::optional<ReleaseState> read_release_state(const std::string& path) {
    return read(path, release_state_from_json);
}

void write_state(const std::string& path, const std::string& json) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec) {
        throw SystemError(std::filesystem::path(path).parent_path().string(), ec.value());
    }
    fs::write_file_atomic(path, json, 0644);
}

}  // namespace flr::releng::image
