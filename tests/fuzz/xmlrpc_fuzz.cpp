// libFuzzer target: the XML-RPC decoder and the Koji decoders on its output.
#include "core/xmlrpc.hpp"
#include "services/koji_decode.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto result = flr::xmlrpc::decode_response(text);
        if (auto* v = std::get_if<flr::xmlrpc::Value>(&result)) {
            (void)flr::xmlrpc::encode_response(*v);
            try {
                (void)flr::koji::list_from(*v, flr::koji::build_from);
            } catch (const flr::Error&) {
            }
            try {
                (void)flr::xmlrpc::split_multicall(*v);
            } catch (const flr::Error&) {
            }
        }
    } catch (const flr::Error&) {
    }
    try {
        (void)flr::xmlrpc::decode_call(text);
    } catch (const flr::Error&) {
    }
    return 0;
}
