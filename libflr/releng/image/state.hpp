// Private: what the image workflow remembers between runs, one small JSON file per image,
// release and kind under the state directory, written atomically:
//   <state_dir>/image/<image>-<N>.rebuild.json  {"task_id", "input_hash", "submitted_at"}
//   <state_dir>/image/<image>-<N>.release.json  {"build_id", "nvr", "released_at"}
#pragma once

#include "releng/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flr::releng::image {

struct RebuildState {
    std::int64_t task_id = 0;
    std::string input_hash;
    std::string submitted_at;
};

struct ReleaseState {
    std::int64_t build_id = 0;
    std::string nvr;
    std::string released_at;
};

Result<RebuildState> rebuild_state_from_json(std::string_view text);
Result<ReleaseState> release_state_from_json(std::string_view text);
std::string to_json(const RebuildState& s);
std::string to_json(const ReleaseState& s);

std::string state_path(const std::string& state_dir, const std::string& image, int release, std::string_view kind);

// nullopt when the file does not exist; ConfigError (naming the file) when it is malformed.
std::optional<RebuildState> read_rebuild_state(const std::string& path);
std::optional<ReleaseState> read_release_state(const std::string& path);
// Atomic (a temporary file renamed over the old one); makes the directory if needed.
void write_state(const std::string& path, const std::string& json);

}  // namespace flr::releng::image
