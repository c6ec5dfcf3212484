#include "releng/ticket_json.hpp"

#include "releng/references.hpp"

#include <fmt/format.h>

#include <regex>

namespace flr::releng {

std::optional<std::string> fenced_block(const std::string& body) {
    auto open = body.find("```");
    if (open == std::string::npos) {
        return std::nullopt;
    }
    auto start = body.find('\n', open);
    auto close = start == std::string::npos ? std::string::npos : body.find("```", start);
    if (close == std::string::npos) {
        return body.substr(open + 3);
    }
    return body.substr(start + 1, close - start - 1);
}

std::optional<Result<Json>> fenced_object(const std::string& body) {
    auto block = fenced_block(body);
    if (!block) {
        return std::nullopt;
    }
    Json obj = Json::parse(*block, nullptr, false);
    if (obj.is_discarded() || !obj.is_object()) {
        return Result<Json>(Problem{"the ``` block in the ticket body is not a JSON object"});
    }
    return Result<Json>(std::move(obj));
}

const Json* member(const Json& obj, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        auto it = obj.find(name);
        if (it != obj.end() && !it->is_null()) {
            return &*it;
        }
    }
    return nullptr;
}

Result<std::string> text_member(const Json& obj, std::initializer_list<const char*> names, const char* what) {
    const Json* v = member(obj, names);
    if (v == nullptr) {
        return std::string();
    }
    if (!v->is_string()) {
        return Problem{fmt::format("\"{}\" is not a string", what)};
    }
    return v->get<std::string>();
}

Result<std::vector<std::string>> list_member(const Json& obj, std::initializer_list<const char*> names,
                                             const char* what) {
    const Json* v = member(obj, names);
    std::vector<std::string> out;
    if (v == nullptr) {
        return out;
    }
    if (v->is_string()) {
        std::string s = v->get<std::string>();
        static const std::regex sep("[\\s,]+");
        for (std::sregex_token_iterator it(s.begin(), s.end(), sep, -1), end; it != end; ++it) {
            if (it->length() > 0) {
                out.push_back(*it);
            }
        }
        return out;
    }
    if (!v->is_array()) {
        return Problem{fmt::format("\"{}\" is not a list", what)};
    }
    for (const auto& b : *v) {
        if (!b.is_string()) {
            return Problem{fmt::format("\"{}\" holds a value that is not a string", what)};
        }
        out.push_back(b.get<std::string>());
    }
    return out;
}

Result<std::optional<std::int64_t>> bug_member(const Json& obj, std::initializer_list<const char*> names,
                                               const char* what) {
    const Json* v = member(obj, names);
    if (v == nullptr) {
        return std::optional<std::int64_t>();
    }
    if (v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() > 0)) {
        return std::optional<std::int64_t>(v->get<std::int64_t>());
    }
    if (v->is_string()) {
        std::string s = v->get<std::string>();
        if (s.empty()) {
            return std::optional<std::int64_t>();
        }
        if (auto found = find_bug_reference(s)) {
            return found;
        }
    }
    return Problem{fmt::format("\"{}\" is not a bug number", what)};
}

}  // namespace flr::releng
