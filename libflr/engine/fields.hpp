// Private: message fields addressed by paths ("body.build.nvr", "headers.sent-at",
// "headers[\"fedora_messaging_rpm_python3.12\"]", "topic", "topic_path", "id", "sent_at",
// "attempt", "batch_file") and templates with {path} placeholders. Paths are parsed once, at config load.
#pragma once

#include "engine/message.hpp"

#include <flr/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr::engine {

// What a field lookup sees: the message and the attempt number of the job (for a
// batched route: its first message), and a batch's file.
struct FieldContext {
    const Message& msg;
    int attempt = 1;
    const std::string* batch_file = nullptr;  // {batch_file}; absent outside a batch
};

// A parsed field path. Under body and headers, each element is a dotted word (an object
// key, or a list index when the value is a list) or a quoted key: ["any text"], in which
// \" and \\ stand for " and \ (an object key only, dots and all).
class FieldPath {
public:
    enum class Root { body, headers, topic, topic_path, id, sent_at, attempt, batch_file };

    // Throws ConfigError (prefixed with `where`) on an unknown root or bad quoting.
    static FieldPath parse(std::string_view text, const std::string& where);

    // The value, or nullptr when absent. `scratch` holds computed values (topic, id,
    // ...) and must outlive the returned pointer.
    const Json* lookup(const FieldContext& ctx, Json& scratch) const;
    const std::string& text() const noexcept { return text_; }

private:
    struct Element {
        std::string name;
        bool quoted = false;
    };
    Root root_ = Root::body;
    std::vector<Element> elements_;
    std::string text_;
};

// Where a placeholder path ends in `text` (which starts just after '{'): the first '}'
// outside a quoted element, or npos.
std::size_t placeholder_end(std::string_view text);

// A scalar as text: strings as is, numbers and booleans in JSON form. nullopt for
// null, objects, arrays.
std::optional<std::string> scalar_text(const Json& value);

// The topic with dots as slashes ("org/fedoraproject/prod/x"); nullopt when a word is
// empty, "..", or holds a slash, so it can never leave a directory.
std::optional<std::string> topic_path(std::string_view topic);

// "text {body.x} more": literal parts and placeholders. "{{" and "}}" are literal braces.
class Template {
public:
    Template() = default;
    // Throws ConfigError (prefixed with `where`) on unbalanced braces or bad paths.
    static Template parse(const std::string& text, const std::string& where);

    // Throws FieldError when a placeholder is missing or not a scalar.
    std::string expand(const FieldContext& ctx) const;
    const std::string& text() const noexcept { return text_; }
    bool has_placeholders() const noexcept;

private:
    struct Part {
        std::string text;
        std::optional<FieldPath> field;
    };
    std::vector<Part> parts_;
    std::string text_;
};

// A placeholder that cannot be filled: the job fails (no retry can help).
class FieldError : public Error {
public:
    explicit FieldError(const std::string& message) : Error(message) {}
    const char* kind() const noexcept override { return "field"; }
};

}  // namespace flr::engine
