#include <flr/error.hpp>

#include <cstring>

namespace flr {

Error::Error(const std::string& message, ExitCode code) : std::runtime_error(message), code_(code) {}

UsageError::UsageError(const std::string& message) : Error(message, ExitCode::usage) {}

ConfigError::ConfigError(const std::string& message) : Error(message, ExitCode::config) {}

RemoteError::RemoteError(const std::string& service, const std::string& message, int status)
    : Error(service + ": " + message, ExitCode::remote), service_(service), status_(status) {}

SystemError::SystemError(const std::string& what, int error_number)
    : Error(what + ": " + std::strerror(error_number)), errno_(error_number) {}

Interrupted::Interrupted() : Error("interrupted", ExitCode::interrupted) {}

LogicError::LogicError(const std::string& message) : std::logic_error(message) {}

}  // namespace flr
