#include "cli.hpp"

#include <flr/interrupt.hpp>
#include <flr/log.hpp>
#include <flr/version.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

namespace flr::cli {

Tool::Tool(std::string name, std::string description) : name_(std::move(name)), app_(std::move(description), name_) {
    app_.set_version_flag("-V,--version", std::string(name_) + " " + flr::version(), "Print the version and exit");
    app_.set_help_flag("-h,--help", "Print this help and exit");
    app_.add_flag("--json", options_.json, "Print results (and errors) as JSON on stdout");
    app_.add_flag("-v,--verbose", options_.verbose, "Log more on stderr");
    app_.add_flag("-q,--quiet", options_.quiet, "Log only errors on stderr");
    app_.fallthrough();
    app_.footer(
        "Exit status: 0 ok, 1 failed or check negative, 2 usage, 3 config, 4 remote service, "
        "130 interrupted. See flr(7).");
}

void Tool::add_dry_run() {
    app_.add_flag("-n,--dry-run", options_.dry_run, "Show what would change, change nothing");
}

void Tool::add_config() {
    app_.add_option("-c,--config", options_.config_path, "Configuration file (see flr.yaml(5))")->type_name("FILE");
}

const Config& Tool::config() {
    if (!config_) {
        config_ = find_config(options_.config_path);
    }
    return *config_;
}

void Tool::print_json(const nlohmann::json& value) {
    document_ = value;
}

void Tool::emit_json(const nlohmann::json& value) const {
    std::string text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

void Tool::print(const std::string& text) const {
    if (options_.json) {
        return;
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

int Tool::report(const std::string& json, const std::string& text, int exit_code, const std::exception_ptr& failure) {
    options_.json ? print_json(nlohmann::json::parse(json)) : print(text);
    if (failure) {
        std::rethrow_exception(failure);
    }
    return exit_code;
}

int Tool::fail(const std::string& kind, const std::string& message, int code) {
    log::error(message);
    if (options_.json) {
        nlohmann::json doc = nlohmann::json::object();
        if (document_ && document_->is_object()) {
            doc = *document_;
        } else if (document_) {
            doc["result"] = *document_;
        }
        doc["error"] = {{"kind", kind}, {"message", message}, {"exit_code", code}};
        document_.reset();
        emit_json(doc);
    }
    return code;
}

std::string read_text(const std::string& path, std::string_view what) {
    constexpr std::size_t max_text = 256U * 1024U;
    if (path != "-" && running_under_sudo()) {
        throw UsageError(fmt::format("{}: under sudo only \"-\" (stdin) is accepted", what));
    }
    struct Input {
        int fd;
        ~Input() {
            if (fd > STDIN_FILENO) {
                ::close(fd);
            }
        }
    } in{path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
    if (in.fd < 0) {
        throw UsageError(fmt::format("{}: cannot open {}: {}", what, path, std::strerror(errno)));
    }
    std::string text;
    char buf[65536];
    while (text.size() <= max_text) {  // reads at most one buffer past the limit
        ssize_t n = ::read(in.fd, buf, sizeof buf);
        if (n == 0) {
            break;
        }
        if (n < 0 && errno != EINTR) {
            throw SystemError("read " + (path == "-" ? std::string("stdin") : path), errno);
        }
        text.append(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    }
    if (text.size() > max_text) {
        throw UsageError(fmt::format("{}: longer than {} KiB", what, max_text / 1024));
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw UsageError(fmt::format("{}: empty", what));
    }
    return text;
}

void usage_error(const std::string& message) {
    throw UsageError(message);
}

int Tool::run(int argc, char** argv, const std::function<int()>& body) {
    log::set_program(name_);
    std::signal(SIGPIPE, SIG_IGN);
    // Known before parsing, so that even a usage error is reported as JSON.
    for (int i = 1; i < argc; ++i) {
        options_.json = options_.json || std::string_view(argv[i]) == "--json";
    }
    try {
        try {
            app_.parse(argc, argv);
        } catch (const CLI::CallForHelp&) {
            std::cout << app_.help() << std::flush;
            return 0;
        } catch (const CLI::CallForAllHelp&) {
            std::cout << app_.help("", CLI::AppFormatMode::All) << std::flush;
            return 0;
        } catch (const CLI::CallForVersion&) {
            std::cout << app_.version() << "\n" << std::flush;
            return 0;
        } catch (const CLI::ParseError& e) {
            throw UsageError(e.what());
        }
        log::set_level(options_.quiet ? log::Level::error : options_.verbose ? log::Level::debug : log::Level::info);
        install_interrupt_handlers();
        int code = body();
        if (options_.json && document_) {
            emit_json(*document_);
        }
        return code;
    } catch (const UsageError& e) {
        int code = fail(e.kind(), e.what(), static_cast<int>(ExitCode::usage));
        std::fprintf(stderr, "Try '%s --help' for more information.\n", name_.c_str());
        return code;
    } catch (const Error& e) {
        return fail(e.kind(), e.what(), static_cast<int>(e.exit_code()));
    } catch (const LogicError& e) {
        return fail(e.kind(), std::string("internal error: ") + e.what(), static_cast<int>(ExitCode::failed));
    } catch (const std::bad_alloc&) {
        return fail("failed", "out of memory", static_cast<int>(ExitCode::failed));
    } catch (const std::exception& e) {
        return fail("failed", std::string("internal error: ") + e.what(), static_cast<int>(ExitCode::failed));
    }
}

}  // namespace flr::cli
