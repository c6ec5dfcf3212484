// Private: the bot commands of the scm-requests queue: comments addressing the bot
// ("@releng-bot help", "@releng-bot retry", "@releng-bot valid").
#pragma once

#include "releng/ports/tickets.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr::releng::scm {

enum class Command { help, retry, valid, unknown };

// "help", "retry", "valid", "unknown"
const char* command_name(Command command);

// The command a comment gives `bot`: a line that starts with "@<bot> <word>". nullopt when
// the comment does not address the bot.
std::optional<Command> parse_command(std::string_view text, std::string_view bot);

// The help text, naming the bot.
std::string help_text(std::string_view bot);

// Whether `comment` was written by the bot itself; its own comments never trigger anything.
bool by_bot(const TicketComment& comment, std::string_view bot);

}  // namespace flr::releng::scm
