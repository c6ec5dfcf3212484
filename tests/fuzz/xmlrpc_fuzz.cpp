// libFuzzer target: the XML-RPC decoder and the Koji decoders on its output; Response,
// whose one-pass reader must decode and refuse exactly as the decoder (pugixml) does; and
// Koji's in-place multicall readers, which must agree with the Value path: whatever a
// reader accepts, the Value path accepts and decodes to the same.
#include "core/xmlrpc.hpp"
#include "services/koji_decode.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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

// Response reads a plain answer in one pass and leaves any other to pugixml: it decodes
// every text as decode_response (pugixml) does, and refuses the same ones.
void same_as_decode_response(std::string_view xml) {
    std::optional<std::variant<flr::xmlrpc::Value, flr::xmlrpc::Fault>> read, direct;
    try {
        read = flr::xmlrpc::Response{std::string(xml)}.decode();
    } catch (const flr::xmlrpc::ParseError&) {
    }
    try {
        direct = flr::xmlrpc::decode_response(xml);
    } catch (const flr::xmlrpc::ParseError&) {
    }
    if (read.has_value() != direct.has_value()) {
        std::abort();  // one of them refuses what the other reads
    }
    if (!read) {
        return;
    }
    if (read->index() != direct->index()) {
        std::abort();
    }
    if (auto* v = std::get_if<flr::xmlrpc::Value>(&*read); v && *v != std::get<flr::xmlrpc::Value>(*direct)) {
        std::abort();
    }
    if (auto* f = std::get_if<flr::xmlrpc::Fault>(&*read);
        f && (f->code != std::get<flr::xmlrpc::Fault>(*direct).code ||
              f->message != std::get<flr::xmlrpc::Fault>(*direct).message)) {
        std::abort();
    }
}

template <class R, class F>
void agree(std::string_view xml, std::optional<std::vector<R>> (*in_place)(const flr::koji::Answer&), F f) {
    std::optional<std::vector<R>> fast;
    try {
        flr::xmlrpc::Response answer{std::string(xml)};
        fast = in_place(answer);
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
    same_as_decode_response(text);
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
