// libFuzzer target: what the image workflow reads from outside: its state files, Bodhi's
// release list, Koji's task answers, and NVRs compared by rpm's rules.
#include "attempt.hpp"
#include "core/xmlrpc.hpp"
#include "releng/image/state.hpp"
#include "releng/rpmver.hpp"
#include "services/bodhi_decode.hpp"
#include "services/koji_decode.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using flr::fuzz::attempt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)flr::releng::image::rebuild_state_from_json(text);
    (void)flr::releng::image::release_state_from_json(text);
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_discarded()) {
        attempt([&] { (void)flr::bodhi::release_page_from_json(j); });
    }
    attempt([&] {
        auto result = flr::xmlrpc::decode_response(text);
        if (auto* v = std::get_if<flr::xmlrpc::Value>(&result)) {
            attempt([&] { (void)flr::koji::task_from(*v); });
            attempt([&] { (void)flr::koji::build_from(*v); });
        }
    });
    // An NVR from a Bodhi update, split and compared with itself and a fixed one.
    if (auto nvr = flr::releng::split_nvr(text)) {
        (void)flr::releng::compare_evr(nvr->evr, nvr->evr);
        (void)flr::releng::compare_evr(nvr->evr, flr::releng::Evr{1, "1.0^git1~rc", "1.fc41"});
    }
    return 0;
}
