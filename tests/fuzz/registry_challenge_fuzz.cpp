// libFuzzer target: WWW-Authenticate challenges from registries and the registry's
// error bodies: anything may be refused with RemoteError, nothing may crash.
#include "services/registry_impl.hpp"

#include <flr/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        for (const auto& c : flr::registry::parse_challenges(input)) {
            (void)c.params.size();
        }
    } catch (const flr::Error&) {
    }
    (void)flr::registry::registry_message(input);
    return 0;
}
