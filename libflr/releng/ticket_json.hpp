// Private: tickets whose body carries a JSON object in a ``` fence, as fedpkg writes
// them (request-unretirement, request-repo, request-branch). Decoding never throws:
// each accessor gives the value or the one-line problem with it.
#pragma once

#include "releng/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

using Json = nlohmann::json;

// The content of the first ``` fence (to the end of the text when it is not closed).
std::optional<std::string> fenced_block(const std::string& body);

// nullopt when the body has no fence; a problem when the fence holds no JSON object.
std::optional<Result<Json>> fenced_object(const std::string& body);

// The first of `names` present and not null.
const Json* member(const Json& obj, std::initializer_list<const char*> names);

// A string member; "" when absent. `what` names it in the problem.
Result<std::string> text_member(const Json& obj, std::initializer_list<const char*> names, const char* what);

// A list of names: a JSON list of strings, or one string separated by commas or spaces.
Result<std::vector<std::string>> list_member(const Json& obj, std::initializer_list<const char*> names,
                                             const char* what);

// A bug number: a positive integer, or a string holding a number or a Bugzilla link.
Result<std::optional<std::int64_t>> bug_member(const Json& obj, std::initializer_list<const char*> names,
                                               const char* what);

}  // namespace flr::releng
