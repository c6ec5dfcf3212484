// libFuzzer target: fedora-scm-requests tickets as filed (title and body), the bot
// commands in comments and the lenient dates of the release tables. The input is split at
// the first NUL byte into title and body; the body is also read as a comment and a date.
#include "releng/scm/commands.hpp"
#include "releng/scm/policy.hpp"
#include "releng/scm/request.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    auto nul = input.find('\0');
    std::string title = input.substr(0, nul);
    std::string body = nul == std::string::npos ? std::string() : input.substr(nul + 1);
    (void)flr::releng::scm::parse_ticket(title, body);
    (void)flr::releng::scm::parse_command(body, "releng-bot");
    (void)flr::releng::scm::parse_lenient_date(title);
    return 0;
}
