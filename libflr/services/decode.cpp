#include "services/decode.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace flr::services {
namespace {

const Json& member(const Json& j, const char* key) {
    static const Json null;
    if (!j.is_object()) {
        throw Shape(fmt::format("expected an object holding \"{}\", got {}", key, j.type_name()));
    }
    auto it = j.find(key);
    return it == j.end() ? null : *it;
}

[[noreturn]] void wrong(const char* key, const char* want, const Json& v) {
    throw Shape(fmt::format("\"{}\": expected {}, got {}", key, want, v.type_name()));
}

}  // namespace

std::string str(const Json& j, const char* key) {
    const Json& v = member(j, key);
    if (v.is_null()) {
        return {};
    }
    if (!v.is_string()) {
        wrong(key, "a string", v);
    }
    return v.get<std::string>();
}

std::int64_t num(const Json& j, const char* key) {
    const Json& v = member(j, key);
    if (v.is_null()) {
        return 0;
    }
    if (v.is_number_integer()) {
        return v.get<std::int64_t>();
    }
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (d > -9.2e18 && d < 9.2e18) {
            return static_cast<std::int64_t>(d);
        }
    }
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        std::int64_t out = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
            return out;
        }
    }
    wrong(key, "an integer", v);
}

bool flag(const Json& j, const char* key) {
    const Json& v = member(j, key);
    if (v.is_null()) {
        return false;
    }
    if (!v.is_boolean()) {
        wrong(key, "true or false", v);
    }
    return v.get<bool>();
}

std::vector<std::string> strings(const Json& j, const char* key) {
    std::vector<std::string> out;
    for (const auto& v : array(j, key)) {
        if (!v.is_string()) {
            wrong(key, "a list of strings", v);
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

const Json& object(const Json& j, const char* key) {
    const Json& v = member(j, key);
    if (!v.is_null() && !v.is_object()) {
        wrong(key, "an object", v);
    }
    return v;
}

const Json& array(const Json& j, const char* key) {
    static const Json empty = Json::array();
    const Json& v = member(j, key);
    if (v.is_null()) {
        return empty;
    }
    if (!v.is_array()) {
        wrong(key, "a list", v);
    }
    return v;
}

void expect_object(const Json& j, const char* what) {
    if (!j.is_object()) {
        throw Shape(fmt::format("expected {} (an object), got {}", what, j.type_name()));
    }
}

std::int64_t parse_utc(const std::string& text) {
    if (text.empty()) {
        return 0;
    }
    std::tm tm{};
    int n = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &n) != 6) {
        throw Shape(fmt::format("not a date and time: \"{}\"", text.substr(0, 40)));
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace flr::services
