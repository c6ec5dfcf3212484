#include "engine/fields.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <charconv>
#include <utility>

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

std::optional<FieldPath::Root> root_named(std::string_view name) {
    using Root = FieldPath::Root;
    static constexpr std::pair<std::string_view, Root> roots[] = {
        {"body", Root::body}, {"headers", Root::headers}, {"topic", Root::topic},     {"topic_path", Root::topic_path},
        {"id", Root::id},     {"sent_at", Root::sent_at}, {"attempt", Root::attempt}, {"batch_file", Root::batch_file}};
    for (const auto& [n, r] : roots) {
        if (n == name) {
            return r;
        }
    }
    return std::nullopt;
}

// The quoted key at text[i] == '"'; i ends after the closing quote. nullopt when the
// quote is not closed or an escape is not \" or \\.
std::optional<std::string> quoted_key(std::string_view text, std::size_t& i) {
    std::string key;
    for (++i; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"') {
            ++i;
            return key;
        }
        if (c == '\\') {
            if (++i == text.size() || (text[i] != '"' && text[i] != '\\')) {
                return std::nullopt;
            }
            c = text[i];
        }
        key.push_back(c);
    }
    return std::nullopt;
}

}  // namespace

std::size_t placeholder_end(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '}') {
            return i;
        }
        if (text[i] != '"') {
            ++i;
        } else if (!quoted_key(text, i)) {
            return std::string_view::npos;
        }
    }
    return std::string_view::npos;
}

FieldPath FieldPath::parse(std::string_view text, const std::string& where) {
    FieldPath p;
    p.text_ = text;
    auto bad = [&](std::string_view why) {
        return ConfigError(fmt::format("{}: {} in field \"{}\"", where, why, text));
    };
    std::size_t i = text.find_first_of(".[");
    auto root = root_named(text.substr(0, i));
    if (!root) {
        throw ConfigError(
            fmt::format("{}: unknown field \"{}\" (use body.*, headers.*, topic, topic_path, id, "
                        "sent_at, attempt or batch_file)",
                        where, text));
    }
    p.root_ = *root;
    while (i < text.size()) {
        if (p.root_ != Root::body && p.root_ != Root::headers) {
            throw bad(fmt::format("{} has no elements", text.substr(0, text.find_first_of(".["))));
        }
        if (text[i] == '.') {
            std::size_t end = text.find_first_of(".[", i + 1);
            std::string_view word = text.substr(i + 1, end == std::string_view::npos ? end : end - i - 1);
            if (word.empty()) {
                throw bad("an empty element (write [\"\"] for an empty key)");
            }
            p.elements_.push_back({std::string(word), false});
            i = end == std::string_view::npos ? text.size() : end;
            continue;
        }
        // '[': a quoted key, then ']'.
        if (i + 1 >= text.size() || text[i + 1] != '"') {
            throw bad("'[' without a quoted key (write [\"key\"])");
        }
        ++i;
        auto key = quoted_key(text, i);
        if (!key) {
            throw bad("an unclosed quote or an escape other than \\\" and \\\\");
        }
        if (i >= text.size() || text[i] != ']') {
            throw bad("a quoted key not followed by ']'");
        }
        ++i;
        if (i < text.size() && text[i] != '.' && text[i] != '[') {
            throw bad("text after ']' (use . or [ for the next element)");
        }
        p.elements_.push_back({std::move(*key), true});
    }
    return p;
}

const Json* FieldPath::lookup(const FieldContext& ctx, Json& scratch) const {
    const Json* node = nullptr;
    switch (root_) {
        case Root::body:
            node = &ctx.msg.body;
            break;
        case Root::headers:
            node = &ctx.msg.headers;
            break;
        case Root::topic:
            scratch = ctx.msg.topic;
            return &scratch;
        case Root::topic_path:
            if (auto p = topic_path(ctx.msg.topic)) {
                scratch = std::move(*p);
                return &scratch;
            }
            return nullptr;
        case Root::id:
        case Root::sent_at: {
            // A message without one has none: never an empty string.
            const std::string& v = root_ == Root::id ? ctx.msg.id : ctx.msg.sent_at;
            if (v.empty()) {
                return nullptr;
            }
            scratch = v;
            return &scratch;
        }
        case Root::attempt:
            scratch = ctx.attempt;
            return &scratch;
        case Root::batch_file:
            if (!ctx.batch_file) {
                return nullptr;
            }
            scratch = *ctx.batch_file;
            return &scratch;
    }
    for (const auto& e : elements_) {
        if (node->is_object()) {
            auto it = node->find(e.name);
            node = it == node->end() ? nullptr : &*it;
        } else if (node->is_array() && !e.quoted) {
            std::size_t index = 0;
            const char* first = e.name.data();
            const char* last = first + e.name.size();
            auto [end, ec] = std::from_chars(first, last, index);
            node = ec == std::errc() && end == last && index < node->size() ? &(*node)[index] : nullptr;
        } else {
            node = nullptr;
        }
        if (!node) {
            return nullptr;
        }
    }
    return node;
}

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
        auto end = placeholder_end(std::string_view(text).substr(i + 1));
        if (end == std::string_view::npos) {
            throw ConfigError(fmt::format("{}: unclosed '{{' in \"{}\"", where, text));
        }
        std::size_t close = i + 1 + end;
        auto path = FieldPath::parse(std::string_view(text).substr(i + 1, end), where);
        if (!literal.empty()) {
            t.parts_.push_back({std::move(literal), std::nullopt});
            literal.clear();
        }
        t.parts_.push_back({{}, std::move(path)});
        i = close;
    }
    if (!literal.empty() || t.parts_.empty()) {
        t.parts_.push_back({std::move(literal), std::nullopt});
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
        const Json* v = p.field->lookup(ctx, scratch);
        if (!v) {
            throw FieldError(fmt::format("placeholder {{{}}}: no such field in the message", p.field->text()));
        }
        auto s = scalar_text(*v);
        if (!s) {
            throw FieldError(fmt::format("placeholder {{{}}}: not a scalar ({})", p.field->text(), v->type_name()));
        }
        out += *s;
    }
    return out;
}

}  // namespace flr::engine
