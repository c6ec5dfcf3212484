// Private port: the Fedora account system (FASJSON): who a user is, the groups they are
// in, and who is in a group.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flr::releng {

struct Account {
    std::string name;
    std::vector<std::string> emails;
    std::string rhbzemail;  // "" when the user set none
    // The address Bugzilla knows the user by: rhbzemail, else the first of emails.
    std::string bugzilla_email() const {
        if (!rhbzemail.empty()) {
            return rhbzemail;
        }
        return emails.empty() ? std::string() : emails.front();
    }
};

class AccountsPort {
public:
    virtual ~AccountsPort() = default;
    // nullopt when there is no such user.
    virtual std::optional<Account> user(const std::string& name) = 0;
    // The groups `user` is a member of (empty for an unknown user).
    virtual std::vector<std::string> groups(const std::string& user) = 0;
    // The members of `group` (empty for an unknown group).
    virtual std::vector<std::string> members(const std::string& group) = 0;
};

}  // namespace flr::releng
