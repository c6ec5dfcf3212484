// Private: the strict checks every name from a ticket or a command line goes through
// before it reaches git, a service or a ticket comment. Shared by every workflow.
#pragma once

#include "releng/result.hpp"

#include <string_view>

namespace flr::releng {

// ^[a-zA-Z0-9_][a-zA-Z0-9_.+-]*$ (dist-git's rule), at most 255 characters.
bool valid_package_name(std::string_view name);
// rpms, container, flatpaks, modules, tests
bool valid_namespace(std::string_view ns);
// rawhide, fNN, epelN, epelN.M, epelN-next
bool valid_branch(std::string_view branch);
// A Fedora account name.
bool valid_user_name(std::string_view user);

// The same checks with the one-line message a report or an error gives.
Result<Valid> check_package_name(std::string_view name);
Result<Valid> check_namespace(std::string_view ns);
Result<Valid> check_branch(std::string_view branch);
Result<Valid> check_user_name(std::string_view user);

// For command-line values: throws UsageError "<option>: "<value>" is not <what>" unless ok.
void require_option(bool ok, std::string_view option, std::string_view value, std::string_view what);

}  // namespace flr::releng
