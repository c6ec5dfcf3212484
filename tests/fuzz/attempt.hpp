// What the fuzz targets share: run a decoder, accepting the refusal it is allowed to give.
#pragma once

#include <flr/error.hpp>

namespace flr::fuzz {

// f(), with an flr::Error (a decoder refusing bad input) swallowed; anything else escapes.
template <class F>
void attempt(F f) {
    try {
        f();
    } catch (const flr::Error&) {
    }
}

}  // namespace flr::fuzz
