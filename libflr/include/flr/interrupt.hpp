// SIGINT/SIGTERM handling for short-lived tools: the first signal sets a flag that
// long operations poll (throwing Interrupted, exit 130); a second one exits at once.
#pragma once

#include <flr/export.hpp>

namespace flr {

FLR_EXPORT void install_interrupt_handlers();
FLR_EXPORT bool interrupted() noexcept;
// Throws flr::Interrupted when a signal arrived.
FLR_EXPORT void throw_if_interrupted();

}  // namespace flr
