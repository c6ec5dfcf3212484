// Private: small file-system helpers (RAII descriptors, whole-file reads, atomic writes).
#pragma once

#include <string>
#include <utility>

namespace flr::fs {

// An owned file descriptor, closed on destruction.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset(std::exchange(o.fd_, -1));
        }
        return *this;
    }
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept;
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// Read everything from fd; throws SystemError naming `what`.
std::string read_all(int fd, const std::string& what);
// Read a whole file; throws SystemError.
std::string read_file(const std::string& path);
// Write a file atomically (temp file in the same directory, fsync, rename) with `mode`.
void write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0644);

}  // namespace flr::fs
