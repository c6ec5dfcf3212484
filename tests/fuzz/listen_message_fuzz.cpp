// Fuzz the flr-listen message path: body validation, dump/legacy parsing, routing with
// every kind of condition, placeholders, and the !unsafe vars emitter.
#include "engine/listen_config.hpp"
#include "engine/message.hpp"
#include "engine/vars.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

using flr::engine::Json;

bool same(const Json& a, const Json& b) {
    if (a.type() != b.type() || a.size() != b.size()) {
        return false;
    }
    if (a.is_object()) {
        for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
            if (ia.key() != ib.key() || !same(*ia, *ib)) {
                return false;
            }
        }
        return true;
    }
    if (a.is_array()) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!same(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }
    return a.dump() == b.dump();
}

// parse_body's contract, spelt out with nlohmann's parser: the fast parser must accept
// exactly the same bodies and build exactly the same values (types included).
void check_against_nlohmann(std::string_view input) {
    Json fast;
    auto reason = flr::engine::parse_body(input, 1 << 20, fast);
    std::optional<std::string> expected;
    Json ref;
    if (!flr::engine::valid_utf8(input)) {
        expected = "body is not UTF-8";
    } else if (flr::engine::too_deep(input)) {
        expected = "body is nested more than " + std::to_string(flr::engine::max_body_depth) + " levels deep";
    } else {
        ref = Json::parse(input, nullptr, false);
        if (ref.is_discarded()) {
            expected = "body is not JSON";
        } else if (!ref.is_object()) {
            expected = "body is not a JSON object";
        }
    }
    if (reason != expected || (!reason && !same(fast, ref))) {
        std::abort();
    }
}

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
    check_against_nlohmann(input);
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
