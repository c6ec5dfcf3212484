// libFuzzer target: the XML-RPC decoder and the Koji decoders on its output, and Koji's
// in-place multicall readers, which must agree with them: whatever a reader accepts, the
// Value path accepts and decodes to the same.
#include "core/xmlrpc.hpp"
#include "services/koji_decode.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

// The Value path of one multicall answer; nullopt where it refuses it or a call faulted.
template <class F>
auto through_values(std::string_view xml, F f) -> std::optional<std::vector<decltype(f(flr::xmlrpc::Value{}))>> {
    try {
        auto result = flr::xmlrpc::decode_response(xml);
        auto* answer = std::get_if<flr::xmlrpc::Value>(&result);
        if (!answer) {
            return std::nullopt;
        }
        std::vector<decltype(f(flr::xmlrpc::Value{}))> out;
        for (auto& part : flr::xmlrpc::split_multicall(*answer)) {
            auto* v = std::get_if<flr::xmlrpc::Value>(&part);
            if (!v) {
                return std::nullopt;
            }
            out.push_back(f(*v));
        }
        return out;
    } catch (const flr::Error&) {
        return std::nullopt;
    }
}

template <class R, class F>
void agree(std::string_view xml, std::optional<std::vector<R>> (*in_place)(const flr::koji::Answer&), F f) {
    std::optional<std::vector<R>> fast;
    try {
        flr::xmlrpc::Response answer{std::string(xml)};
        fast = in_place(answer);
        // The parsed answer decodes as decode_response does.
        auto decoded = answer.decode();
        auto direct = flr::xmlrpc::decode_response(xml);
        if (decoded.index() != direct.index() ||
            (decoded.index() == 0 && std::get<0>(decoded) != std::get<0>(direct))) {
            std::abort();
        }
    } catch (const flr::Error&) {
    }
    if (fast && fast != through_values(xml, f)) {
        std::abort();  // read in place what the Value path refuses or reads otherwise
    }
}

}  // namespace

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
    using flr::xmlrpc::Value;
    agree(text, flr::koji::rpm_lists_in_place,
          [](const Value& v) { return flr::koji::list_from(v, flr::koji::rpm_from); });
    agree(text, flr::koji::build_lists_in_place,
          [](const Value& v) { return flr::koji::list_from(v, flr::koji::build_from); });
    agree(text, flr::koji::builds_in_place, [](const Value& v) {
        return v.is_nil() ? std::nullopt : std::optional<flr::koji::Build>(flr::koji::build_from(v));
    });
    return 0;
}
