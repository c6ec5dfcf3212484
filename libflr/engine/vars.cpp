#include "engine/vars.hpp"

#include <fmt/format.h>

#include <utility>

namespace flr::engine {
namespace {

// Decode one UTF-8 sequence (input already validated); returns the code point.
char32_t next_code_point(const std::string& s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i++]);
    if (c < 0x80) {
        return c;
    }
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    char32_t cp = c & (0x3F >> extra);
    for (int k = 0; k < extra && i < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3Fu);
    }
    return cp;
}

// A YAML double-quoted scalar with everything outside printable ASCII escaped.
void quote(const std::string& s, std::string& out) {
    out += "!unsafe \"";
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = next_code_point(s, i);
        if (cp == '"' || cp == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(cp));
        } else if (cp >= 0x20 && cp < 0x7F) {
            out.push_back(static_cast<char>(cp));
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp <= 0xFFFF) {
            out += fmt::format("\\u{:04X}", static_cast<unsigned>(cp));
        } else {
            out += fmt::format("\\U{:08X}", static_cast<unsigned>(cp));
        }
    }
    out.push_back('"');
}

// YAML 1.1 (PyYAML) reads "1e+20" as a string: give every float a dot.
std::string yaml_float(const Json& v) {
    std::string s = v.dump();
    if (s.find_first_of(".") == std::string::npos) {
        auto e = s.find_first_of("eE");
        s.insert(e == std::string::npos ? s.size() : e, ".0");
    }
    return s;
}

}  // namespace

void emit_unsafe(const Json& value, std::string& out) {
    switch (value.type()) {
        case Json::value_t::object: {
            out.push_back('{');
            bool first = true;
            for (const auto& [k, v] : value.items()) {
                out += first ? "" : ", ";
                first = false;
                quote(k, out);
                out += ": ";
                emit_unsafe(v, out);
            }
            out.push_back('}');
            break;
        }
        case Json::value_t::array: {
            out.push_back('[');
            bool first = true;
            for (const auto& v : value) {
                out += first ? "" : ", ";
                first = false;
                emit_unsafe(v, out);
            }
            out.push_back(']');
            break;
        }
        case Json::value_t::string:
            quote(value.get_ref<const std::string&>(), out);
            break;
        case Json::value_t::number_float:
            out += yaml_float(value);
            break;
        case Json::value_t::null:
        case Json::value_t::discarded:
            out += "null";
            break;
        default:  // integers and booleans
            out += value.dump();
            break;
    }
}

std::string vars_yaml(const Message& msg, int attempt) {
    std::string out = "# flr-listen job variables; message strings are !unsafe (never templated)\nmsg: ";
    out.reserve(4096);
    emit_unsafe(msg.body, out);
    out += "\nflr_message:\n  topic: ";
    emit_unsafe(msg.topic, out);
    // A message without an id or a sent-at time has none: null, never "".
    for (auto [key, value] : {std::pair{"id", &msg.id}, std::pair{"sent_at", &msg.sent_at}}) {
        out += fmt::format("\n  {}: ", key);
        if (value->empty()) {
            out += "null";
        } else {
            emit_unsafe(*value, out);
        }
    }
    out += fmt::format("\n  attempt: {}\n  headers: ", attempt);
    emit_unsafe(msg.headers, out);
    out.push_back('\n');
    return out;
}

Json batch_record(const Message& msg) {
    Json r = Json::object();
    r["topic"] = msg.topic;
    r["id"] = msg.id.empty() ? Json() : Json(msg.id);
    r["sent_at"] = msg.sent_at.empty() ? Json() : Json(msg.sent_at);
    r["headers"] = msg.headers;
    r["body"] = msg.body;
    return r;
}

std::string batch_vars_yaml(const std::vector<const Message*>& batch, int attempt) {
    std::string out = "# flr-listen batch variables; message strings are !unsafe (never templated)\nflr_messages:\n";
    for (const Message* m : batch) {
        out += "  - ";
        emit_unsafe(batch_record(*m), out);
        out.push_back('\n');
    }
    out += fmt::format("flr_batch: {{size: {}, attempt: {}}}\n", batch.size(), attempt);
    return out;
}

std::string batch_json(const std::vector<const Message*>& batch) {
    Json list = Json::array();
    for (const Message* m : batch) {
        list.push_back(batch_record(*m));
    }
    return list.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace flr::engine
