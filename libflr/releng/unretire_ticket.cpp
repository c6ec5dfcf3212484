#include "releng/unretire_ticket.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace flr::releng {

namespace {

bool matches(std::string_view text, const std::regex& re) {
    return text.size() <= 255 && std::regex_match(text.begin(), text.end(), re);
}

using Json = nlohmann::json;

// The content of the first ``` fence, if the text has one.
std::optional<std::string> fenced_block(const std::string& body) {
    auto open = body.find("```");
    if (open == std::string::npos) {
        return std::nullopt;
    }
    auto start = body.find('\n', open);
    auto close = start == std::string::npos ? std::string::npos : body.find("```", start);
    if (close == std::string::npos) {
        return body.substr(open + 3);
    }
    return body.substr(start + 1, close - start - 1);
}

const Json* member(const Json& obj, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        auto it = obj.find(name);
        if (it != obj.end() && !it->is_null()) {
            return &*it;
        }
    }
    return nullptr;
}

std::string text_member(const Json& obj, std::initializer_list<const char*> names, const char* what) {
    const Json* v = member(obj, names);
    if (v == nullptr) {
        return {};
    }
    if (!v->is_string()) {
        throw std::invalid_argument(fmt::format("\"{}\" is not a string", what));
    }
    return v->get<std::string>();
}

std::vector<std::string> branches_member(const Json& obj) {
    const Json* v = member(obj, {"branches", "branch"});
    std::vector<std::string> out;
    if (v == nullptr) {
        return out;
    }
    if (v->is_string()) {
        std::string s = v->get<std::string>();
        std::regex sep("[\\s,]+");
        for (std::sregex_token_iterator it(s.begin(), s.end(), sep, -1), end; it != end; ++it) {
            if (it->length() > 0) {
                out.push_back(*it);
            }
        }
        return out;
    }
    if (!v->is_array()) {
        throw std::invalid_argument("\"branches\" is not a list");
    }
    for (const auto& b : *v) {
        if (!b.is_string()) {
            throw std::invalid_argument("\"branches\" holds a value that is not a string");
        }
        out.push_back(b.get<std::string>());
    }
    return out;
}

std::optional<std::int64_t> bug_member(const Json& obj) {
    const Json* v = member(obj, {"review_bugzilla", "bug", "bug_id"});
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() > 0)) {
        return v->get<std::int64_t>();
    }
    if (v->is_string()) {
        std::string s = v->get<std::string>();
        if (s.empty()) {
            return std::nullopt;
        }
        if (auto found = find_bug_reference(s)) {
            return found;
        }
    }
    throw std::invalid_argument("\"review_bugzilla\" is not a bug number");
}

void validate(const UnretirementRequest& r) {
    if (!valid_namespace(r.repo.ns)) {
        throw std::invalid_argument(fmt::format("invalid namespace \"{}\"", r.repo.ns));
    }
    if (!valid_package_name(r.repo.name)) {
        throw std::invalid_argument(fmt::format("invalid package name \"{}\"", r.repo.name));
    }
    for (const auto& b : r.branches) {
        if (!valid_branch(b)) {
            throw std::invalid_argument(fmt::format("invalid branch \"{}\"", b));
        }
    }
    if (!valid_user_name(r.requester)) {
        throw std::invalid_argument(fmt::format("invalid user name \"{}\"", r.requester));
    }
}

UnretirementRequest from_json(const Json& obj, const std::string& author) {
    UnretirementRequest r;
    r.form = "fedpkg";
    r.repo.name = text_member(obj, {"name", "package", "repo"}, "name");
    if (r.repo.name.empty()) {
        throw std::invalid_argument("no package \"name\"");
    }
    r.repo.ns = text_member(obj, {"type", "namespace"}, "type");
    if (r.repo.ns.empty()) {
        r.repo.ns = "rpms";
    }
    r.branches = branches_member(obj);
    r.bug = bug_member(obj);
    r.requester = text_member(obj, {"maintainer", "requester"}, "maintainer");
    if (r.requester.empty()) {
        r.requester = author;
    }
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

TicketParse parse_title_form(const std::string& target, const std::string& body, const std::string& author) {
    UnretirementRequest r;
    r.form = "title";
    auto slash = target.find('/');
    r.repo.ns = slash == std::string::npos ? "rpms" : target.substr(0, slash);
    r.repo.name = slash == std::string::npos ? target : target.substr(slash + 1);
    r.bug = find_bug_reference(body);
    r.requester = author;
    try {
        validate(r);
    } catch (const std::invalid_argument& e) {
        return malformed(fmt::format("ticket title: {}", e.what()));
    }
    return TicketParse{TicketParse::Kind::request, r, {}};
}

}  // namespace

bool valid_package_name(std::string_view name) {
    static const std::regex re("^[a-zA-Z0-9_][a-zA-Z0-9_.+-]*$");
    return matches(name, re);
}

bool valid_namespace(std::string_view ns) {
    static const std::regex re("^(rpms|container|flatpaks|modules|tests)$");
    return matches(ns, re);
}

bool valid_branch(std::string_view branch) {
    static const std::regex re("^(rawhide|f[1-9][0-9]{0,2}|epel[1-9][0-9]?(\\.[0-9]{1,2}|-next)?)$");
    return matches(branch, re);
}

bool valid_user_name(std::string_view user) {
    static const std::regex re("^[a-z][a-z0-9_-]{0,63}$");
    return matches(user, re);
}

std::optional<std::int64_t> find_bug_reference(std::string_view text) {
    static const std::regex link(R"((?:show_bug\.cgi\?id=|bugzilla\.redhat\.com/|rhbz#)([1-9][0-9]{0,9}))",
                                 std::regex::icase);
    static const std::regex bare(R"(^\s*([1-9][0-9]{0,9})\s*$)");
    std::string s(text.substr(0, 20000));
    std::smatch m;
    if (std::regex_search(s, m, link) || std::regex_match(s, m, bare)) {
        return std::stoll(m[1].str());
    }
    return std::nullopt;
}

TicketParse parse_ticket(const std::string& title, const std::string& body, const std::string& author) {
    auto target = title_target(title);
    auto block = fenced_block(body);
    if (block) {
        Json obj = Json::parse(*block, nullptr, false);
        if (obj.is_discarded() || !obj.is_object()) {
            return target ? malformed("the ``` block in the ticket body is not a JSON object") : TicketParse{};
        }
        const Json* action = member(obj, {"action"});
        if (action == nullptr || *action != "unretirement") {
            return target ? malformed("the JSON block's \"action\" is not \"unretirement\"") : TicketParse{};
        }
        try {
            UnretirementRequest r = from_json(obj, author);
            validate(r);
            return TicketParse{TicketParse::Kind::request, r, {}};
        } catch (const std::invalid_argument& e) {
            return malformed(fmt::format("ticket body: {}", e.what()));
        }
    }
    if (target) {
        return parse_title_form(*target, body, author);
    }
    return {};
}

}  // namespace flr::releng
