// libFuzzer target: release-engineering tickets as filed (title, body, comments): the
// fenced-JSON decoding, the reference finders and the unretirement request forms. The
// input is split at the first two NUL bytes into title, body and author.
#include "releng/references.hpp"
#include "releng/ticket_json.hpp"
#include "releng/unretirement/request.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    auto first = input.find('\0');
    auto second = first == std::string::npos ? std::string::npos : input.find('\0', first + 1);
    std::string title = input.substr(0, first);
    std::string body = first == std::string::npos ? std::string() : input.substr(first + 1, second - first - 1);
    std::string author = second == std::string::npos ? "jdoe" : input.substr(second + 1);
    (void)flr::releng::unretirement::parse_ticket(title, body, author);
    (void)flr::releng::find_bug_reference(body);
    if (auto obj = flr::releng::fenced_object(body); obj && obj->ok()) {
        (void)flr::releng::list_member(obj->value(), {"branches", "branch"}, "branches");
        (void)flr::releng::bug_member(obj->value(), {"bug_id", "review_bugzilla"}, "bug");
    }
    return 0;
}
