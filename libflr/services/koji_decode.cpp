#include "services/koji_decode.hpp"

#include <fmt/format.h>

namespace flr::koji {

using xmlrpc::Value;

namespace {

std::int64_t i64(const Value& v, const char* key) {
    const Value& f = v[key];
    return f.is_nil() ? 0 : f.as_int();
}

std::optional<std::int64_t> opt_i64(const Value& v, const char* key) {
    const Value& f = v[key];
    return f.is_nil() ? std::nullopt : std::optional<std::int64_t>(f.as_int());
}

std::string text(const Value& v, const char* key) {
    const Value& f = v[key];
    return f.is_nil() ? std::string() : f.as_string();
}

bool boolean(const Value& v, const char* key) {
    const Value& f = v[key];
    return f.is_nil() ? false : f.is<bool>() ? f.as_bool() : f.as_int() != 0;
}

void expect_struct(const Value& v, const char* what) {
    if (!v.is<xmlrpc::Struct>()) {
        throw xmlrpc::Mismatch(fmt::format("expected {} (a struct), got {}", what, v.type_name()));
    }
}

}  // namespace

Build build_from(const Value& v) {
    expect_struct(v, "a build");
    Build b;
    b.id = v.find("build_id") ? i64(v, "build_id") : i64(v, "id");
    b.package_id = i64(v, "package_id");
    b.name = v.find("name") ? text(v, "name") : text(v, "package_name");
    b.version = text(v, "version");
    b.release = text(v, "release");
    b.epoch = opt_i64(v, "epoch");
    b.nvr = text(v, "nvr");
    auto state = i64(v, "state");
    if (state < 0 || state > 4) {
        throw xmlrpc::Mismatch(fmt::format("unknown build state {}", state));
    }
    b.state = static_cast<BuildState>(state);
    b.owner_name = text(v, "owner_name");
    b.creation_time = text(v, "creation_time");
    b.completion_time = text(v, "completion_time");
    b.task_id = opt_i64(v, "task_id");
    b.tag_name = text(v, "tag_name");
    b.tag_event = opt_i64(v, "create_event");
    return b;
}

Tag tag_from(const Value& v) {
    expect_struct(v, "a tag");
    return Tag{i64(v, "id"), text(v, "name"), text(v, "arches"), boolean(v, "locked"), boolean(v, "blocked")};
}

PackageEntry package_from(const Value& v) {
    expect_struct(v, "a package list entry");
    return PackageEntry{i64(v, "package_id"),  text(v, "package_name"), i64(v, "tag_id"),       text(v, "tag_name"),
                        text(v, "owner_name"), boolean(v, "blocked"),   text(v, "extra_arches")};
}

Archive archive_from(const Value& v) {
    expect_struct(v, "an archive");
    return Archive{i64(v, "id"),    i64(v, "build_id"), text(v, "filename"), text(v, "type_name"),
                   text(v, "arch"), i64(v, "size"),     text(v, "checksum")};
}

Rpm rpm_from(const Value& v) {
    expect_struct(v, "an RPM");
    Rpm r;
    r.id = i64(v, "id");
    r.build_id = i64(v, "build_id");
    r.name = text(v, "name");
    r.version = text(v, "version");
    r.release = text(v, "release");
    r.epoch = opt_i64(v, "epoch");
    r.arch = text(v, "arch");
    r.nvr = text(v, "nvr");
    return r;
}

Task task_from(const Value& v) {
    expect_struct(v, "a task");
    auto state = i64(v, "state");
    if (state < 0 || state > 5) {
        throw xmlrpc::Mismatch(fmt::format("unknown task state {}", state));
    }
    return Task{i64(v, "id"), text(v, "method"), static_cast<TaskState>(state)};
}

std::string fault_name(std::int64_t code) {
    static constexpr const char* names[] = {
        "GenericError",  "LockError",          "AuthError",      "TagError",           "ActionNotAllowed",
        "BuildError",    "AuthLockError",      "AuthExpired",    "SequenceError",      "RetryError",
        "PreBuildError", "PostBuildError",     "BuildrootError", "FunctionDeprecated", "ServerOffline",
        "LiveCDError",   "PluginError",        "CallbackError",  "ApplianceError",     "ParameterError",
        "ImportError",   "ConfigurationError", "LiveMediaError", "GSSAPIAuthError"};
    if (code >= 1000 && code < 1000 + static_cast<std::int64_t>(std::size(names))) {
        return names[code - 1000];
    }
    return "Fault";
}

Fault make_fault(const xmlrpc::Fault& fault) {
    std::string name = fault_name(fault.code);
    std::string message = fault.message;
    // The hub sends "koji.GenericError: text" (a formatted exception); keep the text.
    for (const std::string& prefix : {"koji." + name + ": ", name + ": "}) {
        if (message.starts_with(prefix)) {
            message.erase(0, prefix.size());
            break;
        }
    }
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    return Fault(fault.code, name, message);
}

}  // namespace flr::koji
