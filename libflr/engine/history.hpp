// Private: the time argument of `flr-listen history --since` (outside data, fuzzed).
#pragma once

#include <string_view>

namespace flr::engine {

// Unix time from "90m", "2h", "7d" (back from `now`), "2026-11-30" (UTC midnight) or
// "2026-11-30T08:00[:00][Z|+HH:MM]" (a space may stand for the T). Throws UsageError.
double parse_since(std::string_view text, double now);

}  // namespace flr::engine
