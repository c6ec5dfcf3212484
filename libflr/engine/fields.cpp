#include "engine/fields.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <charconv>

namespace flr::engine {
namespace {

std::string_view first_segment(std::string_view path, std::string_view& rest) {
    auto dot = path.find('.');
    if (dot == std::string_view::npos) {
        rest = {};
        return path;
    }
    rest = path.substr(dot + 1);
    return path.substr(0, dot);
}

const Json* walk(const Json* node, std::string_view rest) {
    while (node && !rest.empty()) {
        std::string_view seg = first_segment(rest, rest);
        if (node->is_object()) {
            auto it = node->find(seg);
            node = it == node->end() ? nullptr : &*it;
        } else if (node->is_array()) {
            std::size_t index = 0;
            auto [end, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), index);
            bool ok = ec == std::errc() && end == seg.data() + seg.size() && index < node->size();
            node = ok ? &(*node)[index] : nullptr;
        } else {
            node = nullptr;
        }
    }
    return node;
}

}  // namespace

std::optional<std::string> topic_path(std::string_view topic) {
    std::string out;
    std::string_view rest = topic;
    while (true) {
        std::string_view word = first_segment(rest, rest);
        if (word.empty() || word == "." || word == ".." || word.find('/') != std::string_view::npos) {
            return std::nullopt;
        }
        out.append(word);
        if (rest.empty()) {
            return out;
        }
        out.push_back('/');
    }
}

bool known_root(std::string_view path) {
    std::string_view rest;
    std::string_view root = first_segment(path, rest);
    if (root == "body" || root == "headers") {
        return true;
    }
    return rest.empty() &&
           (root == "topic" || root == "topic_path" || root == "id" || root == "sent_at" || root == "attempt");
}

const Json* lookup(const FieldContext& ctx, std::string_view path, Json& scratch) {
    std::string_view rest;
    std::string_view root = first_segment(path, rest);
    if (root == "body") {
        return walk(&ctx.msg.body, rest);
    }
    if (root == "headers") {
        return walk(&ctx.msg.headers, rest);
    }
    if (!rest.empty()) {
        return nullptr;
    }
    if (root == "topic") {
        scratch = ctx.msg.topic;
    } else if (root == "topic_path") {
        auto p = topic_path(ctx.msg.topic);
        if (!p) {
            return nullptr;
        }
        scratch = *p;
    } else if (root == "id") {
        scratch = ctx.msg.id;
    } else if (root == "sent_at") {
        scratch = ctx.msg.sent_at;
    } else if (root == "attempt") {
        scratch = ctx.attempt;
    } else {
        return nullptr;
    }
    return &scratch;
}

std::optional<std::string> scalar_text(const Json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_number() || value.is_boolean()) {
        return value.dump();
    }
    return std::nullopt;
}

Template Template::parse(const std::string& text, const std::string& where) {
    Template t;
    t.text_ = text;
    std::string literal;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
            literal.push_back(c);
            ++i;
            continue;
        }
        if (c == '}') {
            throw ConfigError(
                fmt::format("{}: unbalanced '}}' in \"{}\" (write '}}}}' for a literal one)", where, text));
        }
        if (c != '{') {
            literal.push_back(c);
            continue;
        }
        auto close = text.find('}', i + 1);
        if (close == std::string::npos) {
            throw ConfigError(fmt::format("{}: unclosed '{{' in \"{}\"", where, text));
        }
        std::string path = text.substr(i + 1, close - i - 1);
        if (!known_root(path)) {
            throw ConfigError(
                fmt::format("{}: unknown placeholder {{{}}} (use body.*, headers.*, topic, id, "
                            "sent_at or attempt)",
                            where, path));
        }
        if (!literal.empty()) {
            t.parts_.push_back({std::move(literal), false});
            literal.clear();
        }
        t.parts_.push_back({std::move(path), true});
        i = close;
    }
    if (!literal.empty() || t.parts_.empty()) {
        t.parts_.push_back({std::move(literal), false});
    }
    return t;
}

bool Template::has_placeholders() const noexcept {
    for (const auto& p : parts_) {
        if (p.field) {
            return true;
        }
    }
    return false;
}

std::string Template::expand(const FieldContext& ctx) const {
    std::string out;
    for (const auto& p : parts_) {
        if (!p.field) {
            out += p.text;
            continue;
        }
        Json scratch;
        const Json* v = lookup(ctx, p.text, scratch);
        if (!v) {
            throw FieldError(fmt::format("placeholder {{{}}}: no such field in the message", p.text));
        }
        auto s = scalar_text(*v);
        if (!s) {
            throw FieldError(fmt::format("placeholder {{{}}}: not a scalar ({})", p.text, v->type_name()));
        }
        out += *s;
    }
    return out;
}

}  // namespace flr::engine
