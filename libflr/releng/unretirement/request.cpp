#include "releng/unretirement/request.hpp"

#include "releng/names.hpp"
#include "releng/references.hpp"
#include "releng/ticket_json.hpp"

#include <fmt/format.h>

#include <regex>

namespace flr::releng::unretirement {

namespace {

Result<Valid> validate(const UnretirementRequest& r) {
    for (auto check : {check_namespace(r.repo.ns), check_package_name(r.repo.name)}) {
        if (!check) {
            return check;
        }
    }
    for (const auto& b : r.branches) {
        if (auto check = check_branch(b); !check) {
            return check;
        }
    }
    return check_user_name(r.requester);
}

Result<UnretirementRequest> from_json(const Json& obj, const std::string& author) {
    UnretirementRequest r;
    r.form = "fedpkg";
    auto name = text_member(obj, {"name", "package", "repo"}, "name");
    auto ns = text_member(obj, {"type", "namespace"}, "type");
    auto branches = list_member(obj, {"branches", "branch"}, "branches");
    auto bug = bug_member(obj, {"review_bugzilla", "bug", "bug_id"}, "review_bugzilla");
    auto requester = text_member(obj, {"maintainer", "requester"}, "maintainer");
    for (const Problem* p :
         {name ? nullptr : &name.problem(), ns ? nullptr : &ns.problem(), branches ? nullptr : &branches.problem(),
          bug ? nullptr : &bug.problem(), requester ? nullptr : &requester.problem()}) {
        if (p != nullptr) {
            return *p;
        }
    }
    r.repo.name = *name;
    if (r.repo.name.empty()) {
        return Problem{"no package \"name\""};
    }
    r.repo.ns = ns->empty() ? "rpms" : *ns;
    r.branches = *branches;
    r.bug = *bug;
    r.requester = requester->empty() ? author : *requester;
    return r;
}

std::optional<std::string> title_target(const std::string& title) {
    static const std::regex re(R"(^\s*unretire\s+(.*?)\s*$)", std::regex::icase);
    std::smatch m;
    if (title.size() > 300 || !std::regex_match(title, m, re)) {
        return std::nullopt;
    }
    return m[1].str();
}

TicketParse malformed(const std::string& reason) {
    TicketParse p;
    p.kind = TicketParse::Kind::malformed;
    p.reason = reason;
    return p;
}

TicketParse request(const UnretirementRequest& r, const char* where) {
    if (auto valid = validate(r); !valid) {
        return malformed(fmt::format("{}: {}", where, valid.error()));
    }
    return TicketParse{TicketParse::Kind::request, r, {}};
}

TicketParse parse_title_form(const std::string& target, const std::string& body, const std::string& author) {
    UnretirementRequest r;
    r.form = "title";
    auto slash = target.find('/');
    r.repo.ns = slash == std::string::npos ? "rpms" : target.substr(0, slash);
    r.repo.name = slash == std::string::npos ? target : target.substr(slash + 1);
    r.bug = find_bug_reference(body);
    r.requester = author;
    return request(r, "ticket title");
}

}  // namespace

std::optional<BugReference> review_bug(const std::optional<std::int64_t>& from_body,
                                       const std::vector<TicketComment>& comments) {
    for (auto it = comments.rbegin(); it != comments.rend(); ++it) {
        if (it->text.starts_with("## Unretire")) {
            continue;
        }
        if (auto id = find_bug_reference(it->text)) {
            return BugReference{*id, "a comment by " + it->author};
        }
    }
    if (from_body) {
        return BugReference{*from_body, "the ticket body"};
    }
    return std::nullopt;
}

TicketParse parse_ticket(const std::string& title, const std::string& body, const std::string& author) {
    auto target = title_target(title);
    if (auto obj = fenced_object(body)) {
        if (!*obj) {
            return target ? malformed(obj->error()) : TicketParse{};
        }
        const Json* action = member(obj->value(), {"action"});
        if (action == nullptr || *action != "unretirement") {
            return target ? malformed("the JSON block's \"action\" is not \"unretirement\"") : TicketParse{};
        }
        auto r = from_json(obj->value(), author);
        if (!r) {
            return malformed(fmt::format("ticket body: {}", r.error()));
        }
        return request(*r, "ticket body");
    }
    if (target) {
        return parse_title_form(*target, body, author);
    }
    return {};
}

}  // namespace flr::releng::unretirement
