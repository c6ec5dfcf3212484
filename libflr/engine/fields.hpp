// Private: message fields addressed by dotted paths ("body.build.nvr", "headers.sent-at",
// "topic", "topic_path", "id", "sent_at", "attempt") and templates with {path} placeholders.
#pragma once

#include "engine/message.hpp"

#include <flr/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace flr::engine {

// What a field lookup sees: the message and the attempt number of the job.
struct FieldContext {
    const Message& msg;
    int attempt = 1;
};

// The value at `path`, or nullptr when absent. `scratch` holds computed values
// (topic, id, ...) and must outlive the returned pointer.
const Json* lookup(const FieldContext& ctx, std::string_view path, Json& scratch);

// A scalar as text: strings as is, numbers and booleans in JSON form. nullopt for
// null, objects, arrays.
std::optional<std::string> scalar_text(const Json& value);

// The topic with dots as slashes ("org/fedoraproject/prod/x"); nullopt when a word is
// empty, "..", or holds a slash, so it can never leave a directory.
std::optional<std::string> topic_path(std::string_view topic);

// True when `path` names a field root flr knows.
bool known_root(std::string_view path);

// "text {body.x} more": literal parts and placeholders. "{{" and "}}" are literal braces.
class Template {
public:
    Template() = default;
    // Throws ConfigError (prefixed with `where`) on unbalanced braces or unknown roots.
    static Template parse(const std::string& text, const std::string& where);

    // Throws FieldError when a placeholder is missing or not a scalar.
    std::string expand(const FieldContext& ctx) const;
    const std::string& text() const noexcept { return text_; }
    bool has_placeholders() const noexcept;

private:
    struct Part {
        std::string text;
        bool field = false;
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
