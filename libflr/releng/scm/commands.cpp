#include "releng/scm/commands.hpp"

#include <fmt/format.h>

#include <cctype>

namespace flr::releng::scm {

namespace {

std::string_view trim_left(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    return s;
}

std::optional<Command> line_command(std::string_view line, std::string_view bot) {
    line = trim_left(line);
    std::string mention = "@" + std::string(bot);
    if (!line.starts_with(mention)) {
        return std::nullopt;
    }
    line.remove_prefix(mention.size());
    if (!line.empty() && line.front() == ':') {
        line.remove_prefix(1);
    }
    if (!line.empty() && line.front() != ' ' && line.front() != '\t') {
        return std::nullopt;  // "@releng-bots" addresses someone else
    }
    line = trim_left(line);
    std::string word;
    for (char c : line) {
        if (std::isalpha(static_cast<unsigned char>(c)) == 0) {
            break;
        }
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (word == "help") {
        return Command::help;
    }
    if (word == "retry") {
        return Command::retry;
    }
    if (word == "valid") {
        return Command::valid;
    }
    return Command::unknown;
}

}  // namespace

const char* command_name(Command command) {
    switch (command) {
        case Command::help:
            return "help";
        case Command::retry:
            return "retry";
        case Command::valid:
            return "valid";
        case Command::unknown:
            break;
    }
    return "unknown";
}

std::optional<Command> parse_command(std::string_view text, std::string_view bot) {
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        auto line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (auto c = line_command(line, bot)) {
            return c;
        }
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return std::nullopt;
}

std::string help_text(std::string_view bot) {
    return fmt::format(
        "## Commands\n\n"
        "Address the bot in a comment, one command per comment:\n\n"
        "- `@{0} help`: this list.\n"
        "- `@{0} retry`: process the request again after a failure (the ticket's author or a release "
        "engineer).\n"
        "- `@{0} valid`: approve an exception request (a maintainer of the package for a new branch, or a "
        "release engineer).\n",
        bot);
}

bool by_bot(const TicketComment& comment, std::string_view bot) {
    return comment.author == bot;
}

}  // namespace flr::releng::scm
