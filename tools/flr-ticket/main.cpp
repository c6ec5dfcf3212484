// flr-ticket: comment on, close or show one Pagure ticket. The generic primitive
// playbooks call; arguments are strict so that a sudo rule can pin them.
#include "cli.hpp"

#include <flr/pagure.hpp>
#include <flr/ticket.hpp>

#include <fmt/format.h>

namespace {

struct Args {
    std::string project;
    std::string id;
    std::string body_file;
    std::string status;
    std::string comment_file;
};

void add_target(CLI::App* sub, Args& a) {
    sub->add_option("--project", a.project, "Pagure project, e.g. releng or releng/fedora-scm-requests")->required();
    sub->add_option("--id", a.id, "Ticket number")->required();
}

nlohmann::json to_json(const flr::pagure::Issue& i, const std::string& project, const std::string& url) {
    auto user = [](const flr::pagure::User& u) { return nlohmann::json{{"name", u.name}, {"fullname", u.fullname}}; };
    nlohmann::json comments = nlohmann::json::array();
    for (const auto& c : i.comments) {
        comments.push_back(
            {{"id", c.id}, {"user", user(c.user)}, {"date_created", c.date_created}, {"comment", c.comment}});
    }
    return {{"project", project},
            {"id", i.id},
            {"url", url},
            {"title", i.title},
            {"status", i.status},
            {"close_status", i.close_status.empty() ? nlohmann::json() : nlohmann::json(i.close_status)},
            {"tags", i.tags},
            {"user", user(i.user)},
            {"assignee", i.assignee ? user(*i.assignee) : nlohmann::json()},
            {"date_created", i.date_created},
            {"last_updated", i.last_updated},
            {"content", i.content},
            {"comments", comments}};
}

std::string to_text(const flr::pagure::Issue& i, const std::string& url) {
    std::string out = fmt::format("#{} [{}{}] {}\n{}\nby {}, tags: {}\n\n{}\n", i.id, i.status,
                                  i.close_status.empty() ? "" : ": " + i.close_status, i.title, url, i.user.name,
                                  i.tags.empty() ? "-" : fmt::format("{}", fmt::join(i.tags, ", ")), i.content);
    for (const auto& c : i.comments) {
        out += fmt::format("\n--- {} ---\n{}\n", c.user.name, c.comment);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-ticket", "Comment on, close or show a Pagure ticket.");
    tool.add_config();
    tool.add_dry_run();
    Args a;
    auto& app = tool.app();
    app.require_subcommand(1, 1);
    auto* comment = app.add_subcommand("comment", "Add a comment to a ticket");
    add_target(comment, a);
    comment->add_option("--body-file", a.body_file, "File holding the comment, - for stdin")->required();
    auto* close = app.add_subcommand("close", "Close a ticket with a close status");
    add_target(close, a);
    close->add_option("--status", a.status, "Close status")
        ->required()
        ->check(CLI::IsMember({"Processed", "Invalid", "Denied"}));
    close->add_option("--comment-file", a.comment_file, "Comment to add before closing, - for stdin");
    auto* show = app.add_subcommand("show", "Show a ticket and its comments");
    add_target(show, a);

    return tool.run(argc, argv, [&] {
        flr::ticket::check_project(a.project);
        auto id = flr::ticket::parse_id(a.id);
        std::string body = comment->parsed() ? flr::cli::read_text(a.body_file, "--body-file")
                           : close->parsed() && !a.comment_file.empty()
                               ? flr::cli::read_text(a.comment_file, "--comment-file")
                               : std::string();
        auto client = flr::pagure::connect(tool.config(), "pagure");
        if (show->parsed()) {
            auto issue = client->issue(a.project, id);
            auto url = client->issue_url(a.project, id);
            tool.json() ? tool.print_json(to_json(issue, a.project, url)) : tool.print(to_text(issue, url));
            return 0;
        }
        bool dry = tool.options().dry_run;
        auto outcome = comment->parsed() ? flr::ticket::comment(*client, a.project, id, body, dry)
                                         : flr::ticket::close(*client, a.project, id, a.status, body, dry);
        if (tool.json()) {
            tool.print_json({{"project", a.project},
                             {"id", id},
                             {"url", outcome.url},
                             {"changed", outcome.changed},
                             {"dry_run", dry},
                             {"message", outcome.message}});
        } else {
            tool.print(outcome.message + "\n");
        }
        return 0;
    });
}
