// Fuzz the flr-listen configuration parser (flr-listen.yaml(5) and loopabull configs):
// anything may be refused with ConfigError, nothing may crash.
#include "engine/listen_config.hpp"

#include <flr/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        auto cfg = flr::engine::load_listen_config(flr::Config::parse(input, "/etc/flr/fuzz.yaml"));
        flr::engine::Message msg;
        msg.topic = "org.fedoraproject.prod.buildsys.tag";
        msg.body = flr::engine::Json::parse(R"({"tag": "f43-updates", "name": "n", "n": 1})");
        for (const auto& r : cfg.routes) {
            (void)r.matches(msg);
        }
    } catch (const flr::Error&) {
    }
    return 0;
}
