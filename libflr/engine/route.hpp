// Private: routes. A route matches messages by topic pattern (AMQP `*` and `#`) and
// optional `when` conditions, and names exactly one action (a playbook or a command).
#pragma once

#include "engine/fields.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr::engine {

// An AMQP topic pattern: words separated by '.', `*` one word, `#` zero or more.
class TopicPattern {
public:
    explicit TopicPattern(std::string_view pattern);
    bool matches(std::string_view topic) const;
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
    std::vector<std::string> words_;
    bool has_wildcards_ = false;
};

// A compiled regular expression (PCRE2, UTF mode); its type stays in route.cpp.
class Regex;

// One `when` entry: a field path and a test.
struct Condition {
    enum class Op { in, not_in, regex, not_regex, exists };
    FieldPath path;
    Op op = Op::in;
    std::vector<std::string> values;  // in / not_in
    std::shared_ptr<const Regex> regex;
    bool exists = true;
    bool holds(const FieldContext& ctx) const;
};

struct AnsibleSettings {
    std::vector<std::string> playbook_cmd{"ansible-playbook"};
    std::string cfg;        // ANSIBLE_CONFIG for the child
    std::string inventory;  // -i
    std::string limit;      // --limit
};

// batch: matching messages with the same key value are collected until `max` have
// arrived or `window` has passed since the first, then run as one job.
struct BatchSettings {
    std::size_t max = 100;
    std::chrono::milliseconds window = std::chrono::seconds(5);
    std::optional<Template> key;  // none: one batch for the whole route
    std::string where;            // the route's batch key in the configuration (errors)
};

struct Route {
    std::string name;
    std::vector<TopicPattern> topics;
    std::vector<Condition> when;
    bool is_playbook = false;
    Template playbook;              // path; placeholders allowed (loopabull "all")
    std::vector<Template> command;  // argv; each element one argument
    std::optional<Template> ordering_key;
    std::optional<BatchSettings> batch;
    AnsibleSettings ansible;
    std::chrono::milliseconds timeout = std::chrono::hours(1);
    int max_attempts = 3;
    std::chrono::milliseconds retry_delay = std::chrono::seconds(10);     // first backoff
    std::chrono::milliseconds retry_delay_max = std::chrono::minutes(5);  // cap

    bool topic_matches(std::string_view topic) const;
    bool matches(const Message& msg) const;
};

// Compiled once, at config load; throws ConfigError (prefixed with `where`).
std::shared_ptr<const Regex> compile_regex(const std::string& pattern, const std::string& where);

// A search over the whole of `text`, NUL characters included. nullopt when the match or
// depth limit was reached (or `text` is not UTF-8) before an answer.
std::optional<bool> regex_search(const Regex& re, std::string_view text);

}  // namespace flr::engine
