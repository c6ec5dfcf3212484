// Fuzz the flr-listen message path: body validation, dump/legacy parsing, routing with
// every kind of condition, placeholders, and the !unsafe vars emitter.
#include "engine/listen_config.hpp"
#include "engine/vars.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

const flr::engine::ListenConfig& config() {
    static const flr::engine::ListenConfig cfg = flr::engine::load_listen_config(flr::Config::parse(R"(
routes:
  - name: a
    topic: ["org.#.tag", "*.*", "#"]
    when: {body.tag: [x, y], body.n: {not: 3}, headers.h: {regex: "^f[0-9]+$"}, body.l.0: {exists: true}}
    command: [echo, "{body.name}", "{topic}-{id}", "{headers.sent-at}", "{body.l.1.x}"]
    ordering_key: "{body.name}"
  - name: b
    topic: "#"
    playbook: "/srv/{topic_path}.yml"
)",
                                                                                                    "fuzz.yaml"));
    return cfg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace flr::engine;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    Json record;
    if (parse_body(input, 1 << 20, record)) {
        return 0;
    }
    Message msg;
    if (from_dump(record, msg)) {
        msg.topic = "org.fuzz.tag";
        msg.body = record;
    }
    for (const auto& route : config().routes) {
        bool matched = route.matches(msg);
        FieldContext ctx{msg, 1};
        try {
            for (const auto& t : route.command) {
                (void)t.expand(ctx);
            }
            if (route.is_playbook) {
                (void)route.playbook.expand(ctx);
            }
        } catch (const FieldError&) {
        }
        (void)matched;
    }
    (void)vars_yaml(msg, 2);
    return 0;
}
