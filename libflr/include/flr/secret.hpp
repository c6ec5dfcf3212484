// Secrets (tokens, passwords, API keys) come only from files that nobody but the
// owner can read. A Secret never prints itself; reveal() is the one way in.
#pragma once

#include <flr/export.hpp>

#include <string>

namespace flr {

class FLR_EXPORT Secret {
public:
    Secret() = default;
    // Throws ConfigError when the file is missing, not a regular file, group- or
    // world-accessible, owned by someone other than the caller or root, or empty.
    // One trailing newline is stripped.
    static Secret from_file(const std::string& path);

    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    const std::string& path() const noexcept { return path_; }

private:
    std::string value_;
    std::string path_;
};

}  // namespace flr
