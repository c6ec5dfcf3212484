#include <flr/version.hpp>

namespace flr {

const char* version() noexcept {
    return FLR_VERSION;
}

}  // namespace flr
