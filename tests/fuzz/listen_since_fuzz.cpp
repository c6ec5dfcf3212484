// Fuzz `flr-listen history --since` (durations, UTC dates and times with offsets):
// anything may be refused with UsageError, nothing may crash, and what is accepted is a
// finite time.
#include "engine/history.hpp"

#include <flr/error.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        double t = flr::engine::parse_since(input, 1796025600.0);
        if (!std::isfinite(t)) {
            std::abort();
        }
    } catch (const flr::UsageError&) {
    }
    return 0;
}
