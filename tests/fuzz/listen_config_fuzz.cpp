// Fuzz the flr-listen configuration parser (flr-listen.yaml(5) and loopabull configs),
// field paths (dotted and quoted elements) and regexes included: anything may be refused
// with ConfigError, nothing may crash; what loads can match and expand on a message with
// dotted, empty and non-ASCII keys and a NUL in a value.
#include "engine/listen_config.hpp"

#include <flr/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace flr::engine;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        auto cfg = load_listen_config(flr::Config::parse(input, "/etc/flr/fuzz.yaml"));
        Message msg;
        msg.topic = "org.fedoraproject.prod.buildsys.tag";
        msg.body = Json::parse(R"({"tag": "f43-updates", "name": "n", "n": 1, "files": {".packit.yaml": "x"},
            "": "empty", "s": "Miro Hrončok", "z": "f41\u0000-evil", "l": [1, {"a.b": 2}]})");
        msg.headers = Json::parse(R"({"fedora_messaging_rpm_python3.12": true, "sent-at": "2024"})");
        for (const auto& r : cfg.routes) {
            (void)r.matches(msg);
            FieldContext ctx{msg, 1};
            try {
                for (const auto& t : r.command) {
                    (void)t.expand(ctx);
                }
                if (r.ordering_key) {
                    (void)r.ordering_key->expand(ctx);
                }
            } catch (const FieldError&) {
            }
        }
    } catch (const flr::Error&) {
    }
    return 0;
}
