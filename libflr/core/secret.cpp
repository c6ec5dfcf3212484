#include <flr/error.hpp>
#include <flr/secret.hpp>

#include "core/fs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flr {

Secret Secret::from_file(const std::string& path) {
    fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!fd) {
        int e = errno;
        throw ConfigError(fmt::format("secret file {}: cannot open: {}", path, std::strerror(e)));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        int e = errno;
        throw ConfigError(fmt::format("secret file {}: cannot stat: {}", path, std::strerror(e)));
    }
    if (!S_ISREG(st.st_mode)) {
        throw ConfigError(fmt::format("secret file {}: not a regular file", path));
    }
    if ((st.st_mode & 077) != 0) {
        throw ConfigError(
            fmt::format("secret file {}: mode {:04o} lets others read it; chmod 0600 it", path, st.st_mode & 07777));
    }
    if (st.st_uid != ::geteuid() && st.st_uid != 0) {
        throw ConfigError(fmt::format("secret file {}: owned by another user (uid {})", path, st.st_uid));
    }
    Secret s;
    s.path_ = path;
    s.value_ = fs::read_all(fd.get(), path);
    if (!s.value_.empty() && s.value_.back() == '\n') {
        s.value_.pop_back();
    }
    if (!s.value_.empty() && s.value_.back() == '\r') {
        s.value_.pop_back();
    }
    if (s.value_.empty()) {
        throw ConfigError(fmt::format("secret file {}: empty", path));
    }
    return s;
}

}  // namespace flr
