// Logging to stderr. Results go to stdout; everything else comes through here.
// Lines look like "flr-ticket: warning: message". Secrets never reach a log call.
#pragma once

#include <flr/export.hpp>

#include <string_view>

namespace flr::log {

enum class Level : int { debug = 0, info = 1, warning = 2, error = 3, off = 4 };

FLR_EXPORT void set_program(std::string_view name);
FLR_EXPORT void set_level(Level level);
FLR_EXPORT Level level() noexcept;
FLR_EXPORT bool enabled(Level level) noexcept;
FLR_EXPORT void write(Level level, std::string_view message);

inline void debug(std::string_view m) {
    write(Level::debug, m);
}
inline void info(std::string_view m) {
    write(Level::info, m);
}
inline void warning(std::string_view m) {
    write(Level::warning, m);
}
inline void error(std::string_view m) {
    write(Level::error, m);
}

}  // namespace flr::log
