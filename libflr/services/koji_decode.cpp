#include "services/koji_decode.hpp"

#include <fmt/format.h>

#include <array>

namespace flr::koji {

using xmlrpc::Value;

namespace {

// A struct's members looked up by name, for the decoders below: a Value's, or a View's
// gathered in one pass (the last of a repeated name wins, as in a Struct).
struct ValueFields {
    const Value& v;
    const Value* get(const char* key) const { return v.find(key); }
};

template <std::size_t N>
class ViewFields {
public:
    ViewFields(const std::array<std::string_view, N>& keys, const xmlrpc::View& v) : keys_(keys) {
        v.members([&](std::string_view name, const xmlrpc::View& value) {
            for (std::size_t i = 0; i < N; ++i) {
                if (keys_[i] == name) {
                    found_[i] = value;
                    break;
                }
            }
        });
    }
    const xmlrpc::View* get(std::string_view key) const {
        for (std::size_t i = 0; i < N; ++i) {
            if (keys_[i] == key) {
                return found_[i] ? &*found_[i] : nullptr;
            }
        }
        throw LogicError(fmt::format("koji: member {} read but not gathered", key));
    }

private:
    const std::array<std::string_view, N>& keys_;
    std::array<std::optional<xmlrpc::View>, N> found_;
};

template <class F>
std::int64_t i64(const F* f) {
    return f == nullptr || f->is_nil() ? 0 : f->as_int();
}

template <class F>
std::optional<std::int64_t> opt_i64(const F* f) {
    return f == nullptr || f->is_nil() ? std::nullopt : std::optional<std::int64_t>(f->as_int());
}

template <class F>
std::string text(const F* f) {
    return f == nullptr || f->is_nil() ? std::string() : std::string(f->as_string());
}

std::int64_t i64(const Value& v, const char* key) {
    return i64(v.find(key));
}

std::string text(const Value& v, const char* key) {
    return text(v.find(key));
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

void expect_struct(const xmlrpc::View& v, const char* what) {
    if (v.kind() != xmlrpc::View::Kind::structure) {
        throw xmlrpc::Mismatch(fmt::format("expected {} (a struct), got {}", what, v.type_name()));
    }
}

constexpr std::array<std::string_view, 16> build_keys = {
    "build_id", "id",    "package_id", "name",          "package_name",    "version", "release",  "epoch",
    "nvr",      "state", "owner_name", "creation_time", "completion_time", "task_id", "tag_name", "create_event"};

template <class Fields>
Build build_of(const Fields& v) {
    Build b;
    b.id = v.get("build_id") ? i64(v.get("build_id")) : i64(v.get("id"));
    b.package_id = i64(v.get("package_id"));
    b.name = v.get("name") ? text(v.get("name")) : text(v.get("package_name"));
    b.version = text(v.get("version"));
    b.release = text(v.get("release"));
    b.epoch = opt_i64(v.get("epoch"));
    b.nvr = text(v.get("nvr"));
    auto state = i64(v.get("state"));
    if (state < 0 || state > 4) {
        throw xmlrpc::Mismatch(fmt::format("unknown build state {}", state));
    }
    b.state = static_cast<BuildState>(state);
    b.owner_name = text(v.get("owner_name"));
    b.creation_time = text(v.get("creation_time"));
    b.completion_time = text(v.get("completion_time"));
    b.task_id = opt_i64(v.get("task_id"));
    b.tag_name = text(v.get("tag_name"));
    b.tag_event = opt_i64(v.get("create_event"));
    return b;
}

constexpr std::array<std::string_view, 8> rpm_keys = {"id",      "build_id", "name", "version",
                                                      "release", "epoch",    "arch", "nvr"};

template <class Fields>
Rpm rpm_of(const Fields& v) {
    Rpm r;
    r.id = i64(v.get("id"));
    r.build_id = i64(v.get("build_id"));
    r.name = text(v.get("name"));
    r.version = text(v.get("version"));
    r.release = text(v.get("release"));
    r.epoch = opt_i64(v.get("epoch"));
    r.arch = text(v.get("arch"));
    r.nvr = text(v.get("nvr"));
    return r;
}

Build build_in_place(const xmlrpc::View& v) {
    expect_struct(v, "a build");
    return build_of(ViewFields<build_keys.size()>(build_keys, v));
}

Rpm rpm_in_place(const xmlrpc::View& v) {
    expect_struct(v, "an RPM");
    return rpm_of(ViewFields<rpm_keys.size()>(rpm_keys, v));
}

template <class T>
std::vector<T> list_in_place(const xmlrpc::View& v, T (*f)(const xmlrpc::View&)) {
    std::vector<T> out;
    v.elements([&](const xmlrpc::View& item) { out.push_back(f(item)); });
    return out;
}

// One R per call of a multicall answer, `item` decoding each call's value; nullopt for a
// fault, a bad answer or an element that is not [value].
template <class R, class Item>
std::optional<std::vector<R>> multicall_in_place(const Answer& xml, Item item) {
    std::vector<R> out;
    try {
        bool answered = xml.read([&](const xmlrpc::View& answer) {
            answer.elements([&](const xmlrpc::View& part) {
                std::optional<R> result;
                int count = 0;
                part.elements([&](const xmlrpc::View& v) {
                    if (count++ == 0) {
                        result = item(v);
                    }
                });
                if (count != 1) {
                    throw xmlrpc::Mismatch("not [value]");
                }
                out.push_back(std::move(*result));
            });
        });
        if (!answered) {
            return std::nullopt;
        }
    } catch (const Error&) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

Build build_from(const Value& v) {
    expect_struct(v, "a build");
    return build_of(ValueFields{v});
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
    return rpm_of(ValueFields{v});
}

std::optional<std::vector<std::vector<Rpm>>> rpm_lists_in_place(const Answer& xml) {
    return multicall_in_place<std::vector<Rpm>>(xml,
                                                [](const xmlrpc::View& v) { return list_in_place(v, rpm_in_place); });
}

std::optional<std::vector<std::vector<Build>>> build_lists_in_place(const Answer& xml) {
    return multicall_in_place<std::vector<Build>>(
        xml, [](const xmlrpc::View& v) { return list_in_place(v, build_in_place); });
}

std::optional<std::vector<std::optional<Build>>> builds_in_place(const Answer& xml) {
    return multicall_in_place<std::optional<Build>>(
        xml, [](const xmlrpc::View& v) { return v.is_nil() ? std::nullopt : std::optional<Build>(build_in_place(v)); });
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
