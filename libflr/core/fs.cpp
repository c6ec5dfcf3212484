#include "core/fs.hpp"

#include <flr/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace flr::fs {

void Fd::reset(int fd) noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
}

std::string read_all(int fd, const std::string& what) {
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw SystemError("read " + what, errno);
        }
        if (n == 0) {
            return out;
        }
        out.append(buf, static_cast<size_t>(n));
    }
}

std::string read_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw SystemError("open " + path, errno);
    }
    return read_all(fd.get(), path);
}

void write_file_atomic(const std::string& path, const std::string& data, unsigned mode) {
    std::string tmpl = path + ".XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    Fd fd(::mkostemp(name.data(), O_CLOEXEC));
    if (!fd) {
        throw SystemError("create temporary file for " + path, errno);
    }
    std::string tmp(name.data());
    auto fail = [&](const char* what) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw SystemError(std::string(what) + " " + path, e);
    };
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
        fail("chmod");
    }
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(fd.get(), p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("write");
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
        fail("fsync");
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        fail("rename");
    }
}

TempDir::TempDir(std::string_view prefix, const std::string& base) {
    std::string dir = base.empty() ? std::filesystem::temp_directory_path().string() : base;
    std::string tmpl = dir + "/" + std::string(prefix) + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw SystemError("create a private directory in " + dir, errno);
    }
    path_ = std::move(tmpl);
}

TempDir::~TempDir() {
    remove();
}

TempDir& TempDir::operator=(TempDir&& o) noexcept {
    if (this != &o) {
        remove();
        path_ = std::exchange(o.path_, {});
    }
    return *this;
}

std::string TempDir::file(std::string_view name) const {
    return path_ + "/" + std::string(name);
}

void TempDir::remove() noexcept {
    if (!path_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
}

}  // namespace flr::fs
