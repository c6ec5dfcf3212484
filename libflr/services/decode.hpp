// Private: reading fields out of JSON answers. A field of the wrong type raises
// Shape, which the clients turn into a RemoteError naming the request.
#pragma once

#include <flr/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace flr::services {

class Shape : public Error {
public:
    explicit Shape(const std::string& message) : Error(message) {}
};

using Json = nlohmann::json;

// Missing or null: "" / 0 / false / {}.
std::string str(const Json& j, const char* key);
// An integer, or a string holding one (Pagure sends unix times as strings).
std::int64_t num(const Json& j, const char* key);
bool flag(const Json& j, const char* key);
std::vector<std::string> strings(const Json& j, const char* key);
const Json& object(const Json& j, const char* key);  // null Json when missing
const Json& array(const Json& j, const char* key);   // empty array when missing
void expect_object(const Json& j, const char* what);

// "2017-04-30T09:00:00Z" or "2024-03-05 12:00:00" (UTC) -> unix time; 0 when empty.
std::int64_t parse_utc(const std::string& text);

}  // namespace flr::services
