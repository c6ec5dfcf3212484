// The one exception family of flr, in two kinds kept apart:
//  - flr::Error and its subclasses: runtime failures that come from outside the program
//    (bad input, configuration, a refusing service, a failed system call). Every failure a
//    tool reports is one; its exit_code() is what the process exits with (flr(7), EXIT STATUS).
//  - flr::LogicError: a programming mistake inside flr (a broken invariant, a call the API
//    forbids). No user can fix one; the CLI reports it as an internal error.
#pragma once

#include <flr/export.hpp>

#include <stdexcept>
#include <string>

namespace flr {

enum class ExitCode : int {
    ok = 0,
    failed = 1,        // the operation failed, or a check came out negative
    usage = 2,         // bad command line
    config = 3,        // bad or missing configuration, unreadable secret
    remote = 4,        // a remote service failed or refused
    interrupted = 130  // SIGINT or SIGTERM
};

class FLR_EXPORT Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, ExitCode code = ExitCode::failed);
    ExitCode exit_code() const noexcept { return code_; }
    // A short machine-readable name of the error class, used in --json output.
    virtual const char* kind() const noexcept { return "failed"; }

private:
    ExitCode code_;
};

class FLR_EXPORT UsageError : public Error {
public:
    explicit UsageError(const std::string& message);
    const char* kind() const noexcept override { return "usage"; }
};

class FLR_EXPORT ConfigError : public Error {
public:
    explicit ConfigError(const std::string& message);
    const char* kind() const noexcept override { return "config"; }
};

// A remote service (Pagure, Koji, a broker, ...) failed, refused or answered nonsense.
class FLR_EXPORT RemoteError : public Error {
public:
    RemoteError(const std::string& service, const std::string& message, int status = 0);
    const char* kind() const noexcept override { return "remote"; }
    const std::string& service() const noexcept { return service_; }
    int status() const noexcept { return status_; }

private:
    std::string service_;
    int status_;
};

// A system call failed; the message ends with strerror(errno).
class FLR_EXPORT SystemError : public Error {
public:
    SystemError(const std::string& what, int error_number);
    const char* kind() const noexcept override { return "system"; }
    int error_number() const noexcept { return errno_; }

private:
    int errno_;
};

class FLR_EXPORT Interrupted : public Error {
public:
    Interrupted();
    const char* kind() const noexcept override { return "interrupted"; }
};

// A programming mistake, not a runtime failure: deliberately not an flr::Error, so that code
// handling failures of the outside world (retries, dead letters) never swallows one.
class FLR_EXPORT LogicError : public std::logic_error {
public:
    explicit LogicError(const std::string& message);
    const char* kind() const noexcept { return "internal"; }
};

}  // namespace flr
