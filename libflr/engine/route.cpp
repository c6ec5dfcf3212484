#include "engine/route.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace flr::engine {

// Limits on one match: backtracking steps and nesting depth. Enough for any sensible
// condition on any message; a hostile pattern or value stops early instead of stalling
// the loop (flr-listen.yaml(5), CONDITIONS).
constexpr std::uint32_t regex_match_limit = 100000;
constexpr std::uint32_t regex_depth_limit = 1000;

class Regex {
public:
    Regex(pcre2_code* code, pcre2_match_context* context) : code_(code), context_(context) {}
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;
    ~Regex() {
        pcre2_match_context_free(context_);
        pcre2_code_free(code_);
    }
    pcre2_code* code() const noexcept { return code_; }
    pcre2_match_context* context() const noexcept { return context_; }

private:
    pcre2_code* code_;
    pcre2_match_context* context_;
};

std::shared_ptr<const Regex> compile_regex(const std::string& pattern, const std::string& where) {
    int rc = 0;
    PCRE2_SIZE offset = 0;
    // UTF mode: the pattern and the values are characters, not bytes. A value that is
    // not UTF-8 (a header can be anything) matches nothing rather than failing.
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &rc, &offset, nullptr);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(rc, buf, sizeof buf);
        throw ConfigError(fmt::format("{}: bad regular expression \"{}\" at offset {}: {}", where, pattern, offset,
                                      reinterpret_cast<const char*>(buf)));
    }
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    if (!context) {
        pcre2_code_free(code);
        throw std::bad_alloc();
    }
    pcre2_set_match_limit(context, regex_match_limit);
    pcre2_set_depth_limit(context, regex_depth_limit);
    return std::make_shared<const Regex>(code, context);
}

std::optional<bool> regex_search(const Regex& re, std::string_view text) {
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
        pcre2_match_data_create_from_pattern(re.code(), nullptr), &pcre2_match_data_free);
    if (!data) {
        throw std::bad_alloc();
    }
    int rc =
        pcre2_match(re.code(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, data.get(), re.context());
    if (rc >= 0) {
        return true;
    }
    if (rc == PCRE2_ERROR_NOMATCH) {
        return false;
    }
    return std::nullopt;
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
    const Json* v = path.lookup(ctx, scratch);
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
        case Op::not_regex: {
            if (!text) {
                return op == Op::not_regex;
            }
            // Over the limits there is no answer, and the condition fails either way.
            auto found = regex_search(*regex, *text);
            if (!found) {
                log::warning(fmt::format("when {}: the regular expression reached its match limit; the condition fails",
                                         path.text()));
                return false;
            }
            return *found == (op == Op::regex);
        }
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
