#include "engine/route.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>
#include <regex.h>

#include <algorithm>

namespace flr::engine {

class Regex {
public:
    regex_t re{};
    bool compiled = false;
    ~Regex() {
        if (compiled) {
            regfree(&re);
        }
    }
};

std::shared_ptr<const Regex> compile_regex(const std::string& pattern, const std::string& where) {
    auto r = std::make_shared<Regex>();
    int rc = regcomp(&r->re, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char buf[256];
        regerror(rc, &r->re, buf, sizeof buf);
        throw ConfigError(fmt::format("{}: bad regular expression \"{}\": {}", where, pattern, buf));
    }
    r->compiled = true;
    return r;
}

bool regex_search(const Regex& re, const std::string& text) {
    return regexec(&re.re, text.c_str(), 0, nullptr, 0) == 0;
}

namespace {

std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> words;
    std::size_t start = 0;
    for (;;) {
        auto dot = s.find('.', start);
        words.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) {
            return words;
        }
        start = dot + 1;
    }
}

}  // namespace

TopicPattern::TopicPattern(std::string_view pattern) : text_(pattern) {
    for (auto w : split_words(pattern)) {
        words_.emplace_back(w);
        has_wildcards_ = has_wildcards_ || w == "*" || w == "#";
    }
}

// Glob matching over words: `#` remembers where it stood, and on a mismatch the last
// `#` swallows one more word. O(words x pattern) at worst, no recursion.
bool TopicPattern::matches(std::string_view topic) const {
    if (!has_wildcards_) {
        return topic == text_;
    }
    // As in RabbitMQ, an empty routing key has no words at all.
    auto words = topic.empty() ? std::vector<std::string_view>{} : split_words(topic);
    std::size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < words.size()) {
        if (p < words_.size() && words_[p] != "#" && (words_[p] == "*" || words_[p] == words[t])) {
            ++p, ++t;
        } else if (p < words_.size() && words_[p] == "#") {
            star = p++;
            mark = t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < words_.size() && words_[p] == "#") {
        ++p;
    }
    return p == words_.size();
}

bool Condition::holds(const FieldContext& ctx) const {
    Json scratch;
    const Json* v = lookup(ctx, path, scratch);
    if (op == Op::exists) {
        return (v != nullptr && !v->is_null()) == exists;
    }
    std::optional<std::string> text = v ? scalar_text(*v) : std::nullopt;
    switch (op) {
        case Op::in:
            return text && std::find(values.begin(), values.end(), *text) != values.end();
        case Op::not_in:
            return !text || std::find(values.begin(), values.end(), *text) == values.end();
        case Op::regex:
            return text && regex_search(*regex, *text);
        case Op::not_regex:
            return !text || !regex_search(*regex, *text);
        case Op::exists:
            break;
    }
    return false;
}

bool Route::topic_matches(std::string_view topic) const {
    return std::any_of(topics.begin(), topics.end(), [&](const TopicPattern& p) { return p.matches(topic); });
}

bool Route::matches(const Message& msg) const {
    if (!topic_matches(msg.topic)) {
        return false;
    }
    FieldContext ctx{msg, 1};
    return std::all_of(when.begin(), when.end(), [&](const Condition& c) { return c.holds(ctx); });
}

}  // namespace flr::engine
