#include "releng/names.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <regex>

namespace flr::releng {

namespace {

bool matches(std::string_view text, const std::regex& re) {
    return text.size() <= 255 && std::regex_match(text.begin(), text.end(), re);
}

Result<Valid> checked(bool ok, const char* what, std::string_view value) {
    if (ok) {
        return Valid{};
    }
    return Problem{fmt::format("invalid {} \"{}\"", what, value.substr(0, 80))};
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

Result<Valid> check_package_name(std::string_view name) {
    return checked(valid_package_name(name), "package name", name);
}

Result<Valid> check_namespace(std::string_view ns) {
    return checked(valid_namespace(ns), "namespace", ns);
}

Result<Valid> check_branch(std::string_view branch) {
    return checked(valid_branch(branch), "branch", branch);
}

Result<Valid> check_user_name(std::string_view user) {
    return checked(valid_user_name(user), "user name", user);
}

void require_option(bool ok, std::string_view option, std::string_view value, std::string_view what) {
    if (!ok) {
        throw UsageError(fmt::format("{}: \"{}\" is not {}", option, value, what));
    }
}

}  // namespace flr::releng
