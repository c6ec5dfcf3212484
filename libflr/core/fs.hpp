// Private: small file-system helpers (RAII descriptors, whole-file reads, atomic writes,
// private temporary directories).
#pragma once

#include <string>
#include <string_view>
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

// A private temporary directory (mode 0700, made with mkdtemp), removed with everything in
// it when the object is destroyed. It is made as <base>/<prefix>-XXXXXX; an empty base
// means $TMPDIR, else /tmp. Throws SystemError.
class TempDir {
public:
    explicit TempDir(std::string_view prefix, const std::string& base = {});
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
    TempDir& operator=(TempDir&& o) noexcept;

    const std::string& path() const noexcept { return path_; }
    // <path>/<name>
    std::string file(std::string_view name) const;

private:
    void remove() noexcept;
    std::string path_;
};

}  // namespace flr::fs
