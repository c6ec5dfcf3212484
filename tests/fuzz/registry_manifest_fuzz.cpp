// libFuzzer target: image manifests and indexes as registries and sources hand them
// over; the first line is the Content-Type. Refusals are RemoteErrors, never crashes.
#include "services/registry_impl.hpp"

#include <flr/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto newline = input.find('\n');
    std::string_view type = newline == std::string_view::npos ? std::string_view() : input.substr(0, newline);
    std::string_view body = newline == std::string_view::npos ? input : input.substr(newline + 1);
    try {
        auto m = flr::registry::parse_manifest(body, type);
        for (const auto& d : m.layers) {
            (void)flr::registry::valid_digest(d.digest);
        }
    } catch (const flr::Error&) {
    }
    return 0;
}
