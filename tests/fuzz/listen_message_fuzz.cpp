// Fuzz the flr-listen message path from its real entry point: body parsing (simdjson)
// and its contract, dump/legacy records, routing with every kind of condition and path
// form (dotted, quoted elements, regexes), placeholders and command arguments, the
// bounded log form and the !unsafe vars emitter. Each step asserts its invariants.
#include "engine/action.hpp"
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

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

int depth(const Json& j) {
    int deepest = 0;
    if (j.is_structured()) {
        for (const auto& v : j) {
            deepest = std::max(deepest, depth(v));
        }
        return deepest + 1;
    }
    return 0;
}

// parse_body's contract: a reason from the documented list and a null value when it
// refuses; when it accepts, a UTF-8 object no deeper than the limit, the value
// nlohmann's parser builds from the same text, and a dump that parses back to it.
void check_parse_body(std::string_view input) {
    Json out;
    auto reason = flr::engine::parse_body(input, 1 << 20, out);
    if (reason) {
        std::string deep = "body is nested more than " + std::to_string(flr::engine::max_body_depth) + " levels deep";
        check(*reason == "body is not UTF-8" || *reason == deep || *reason == "body is not JSON" ||
              *reason == "body is not a JSON object");
        check(out.is_null());
        return;
    }
    check(out.is_object());
    check(depth(out) <= flr::engine::max_body_depth);
    check(input.find('\0') == std::string_view::npos);
    std::string dumped = out.dump();  // strict: throws on invalid UTF-8
    check(Json::parse(input, nullptr, false) == out);
    Json again;
    check(!flr::engine::parse_body(dumped, 1 << 20, again) && again == out);
}

const flr::engine::ListenConfig& config() {
    static const flr::engine::ListenConfig cfg = flr::engine::load_listen_config(flr::Config::parse(R"(
routes:
  - name: a
    topic: ["org.#.tag", "*.*", "#"]
    when: {body.tag: [x, y], body.n: {not: 3}, headers.h: {regex: "^f[0-9]+$"}, body.l.0: {exists: true}}
    command: [echo, "{body.name}", "{topic}-{id}", "{headers.sent-at}", "{body.l.1.x}", "tag=[{body.tag}]"]
    ordering_key: "{body.name}"
  - name: b
    topic: "#"
    playbook: "/srv/{topic_path}.yml"
  - name: c
    topic: "#"
    when:
      headers["fedora_messaging_rpm_python3.12"]: {exists: true}
      'body.files[".packit.yaml"]': {not_regex: "^\\p{Lu}"}
      body[""]: {not: [""]}
      body["a\"b"]["c\\d"]: {regex: "(a|aa)+$"}
    command: [x, '{body.files[".packit.yaml"]}', '{body[""]}', '{headers["fedora_messaging_rpm_python3.12"]}']
    ordering_key: '{body["k.e.y"]}'
  - name: d
    topic: "#"
    when: {body.s: {regex: "^Miro Hron.ok$"}, sent_at: {exists: false}}
    command: [x, "{sent_at}", "{attempt}"]
)",
                                                                                                    "fuzz.yaml"));
    return cfg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace flr::engine;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    check_parse_body(input);
    Json record;
    if (parse_body(input, 1 << 20, record)) {
        return 0;
    }
    Message msg;
    if (from_dump(record, msg)) {
        msg.topic = "org.fuzz.tag";
        msg.body = record;
    }
    check(msg.body.is_object() && msg.headers.is_object());
    std::string line = log_form(msg);
    check(line.size() <= 4096 + 64);
    for (const auto& route : config().routes) {
        (void)route.matches(msg);
        FieldContext ctx{msg, 1};
        try {
            if (route.ordering_key) {
                (void)route.ordering_key->expand(ctx);
            }
            if (!route.is_playbook) {
                Launch launch = prepare(route, msg, 1, ActionEnv{"/nonexistent", {}}, 1);
                for (const auto& arg : launch.spec.argv) {
                    check(arg.find('\0') == std::string::npos);  // never an argument cut short
                }
            } else {
                (void)route.playbook.expand(ctx);
            }
        } catch (const FieldError&) {
        }
    }
    (void)vars_yaml(msg, 2);
    return 0;
}
