// Private: references to tickets and bugs as people write them: a ticket's number or
// URL on the command line, a review bug's number or link in a ticket or a comment.
#pragma once

#include "releng/ports/tickets.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flr::releng {

// "12" or the ticket's own URL in the queue `tickets` serves -> 12. Throws UsageError
// naming `option` for anything else.
std::int64_t ticket_id(const std::string& given, const TicketsPort& tickets, std::string_view option = "--ticket");

// A bug number named in free text: a bugzilla.redhat.com link, "rhbz#N", or a text that
// is only the number.
std::optional<std::int64_t> find_bug_reference(std::string_view text);

}  // namespace flr::releng
