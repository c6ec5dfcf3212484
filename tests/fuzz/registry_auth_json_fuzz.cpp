// libFuzzer target: containers-auth.json files; refusals are ConfigErrors, never crashes.
#include "services/registry_impl.hpp"

#include <flr/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        for (const auto& [host, credential] : flr::registry::parse_auth_json(input)) {
            (void)(host.size() + credential.user.size() + credential.password.size());
        }
    } catch (const flr::Error&) {
    }
    return 0;
}
