#include "engine/action.hpp"

#include "engine/vars.hpp"

#include <flr/error.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

namespace flr::engine {
namespace {

void check_path(const std::string& path) {
    std::size_t start = 0;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        std::string_view part(path.data() + start, (slash == std::string::npos ? path.size() : slash) - start);
        if (part == "..") {
            throw FieldError(fmt::format("playbook path \"{}\" leaves its directory", path));
        }
        if (slash == std::string::npos) {
            break;
        }
        start = slash + 1;
    }
}

std::vector<std::string> child_env(const ActionEnv& env, const AnsibleSettings* ansible) {
    std::vector<std::string> out = process::minimal_env(env.env_allow);
    if (ansible && !ansible->cfg.empty()) {
        out.push_back("ANSIBLE_CONFIG=" + ansible->cfg);
    }
    return out;
}

// One argument from a template. execve ends an argument at its first NUL, so a value
// holding one could only be passed cut short: the job fails instead.
std::string argument(const Template& t, const FieldContext& ctx, const std::string& what) {
    std::string arg = t.expand(ctx);
    if (arg.find('\0') != std::string::npos) {
        throw FieldError(fmt::format("{} \"{}\": a value holds a NUL character, which a command argument cannot carry",
                                     what, t.text()));
    }
    return arg;
}

}  // namespace

void write_private_file(const std::string& path, const std::string& data) {
    fs::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) {
        throw SystemError("create " + path, errno);
    }
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(fd.get(), p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int e = errno;
            ::unlink(path.c_str());
            throw SystemError("write " + path, e);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

Launch prepare(const Route& route, const Message& msg, int attempt, const ActionEnv& env, unsigned long serial,
               const std::vector<const Message*>& batch) {
    FieldContext ctx{msg, attempt};
    Launch launch;
    launch.spec.merge_stderr = true;
    if (!route.is_playbook && !batch.empty()) {
        launch.vars_file = fmt::format("{}/batch-{}.json", env.vars_dir, serial);
        write_private_file(launch.vars_file, batch_json(batch));
        ctx.batch_file = &launch.vars_file;
    }
    if (!route.is_playbook) {
        try {
            for (std::size_t i = 0; i < route.command.size(); ++i) {
                launch.spec.argv.push_back(argument(route.command[i], ctx, fmt::format("command[{}]", i)));
            }
        } catch (...) {
            if (!launch.vars_file.empty()) {
                ::unlink(launch.vars_file.c_str());
            }
            throw;
        }
        launch.spec.env = child_env(env, nullptr);
        return launch;
    }
    std::string playbook = argument(route.playbook, ctx, "playbook");
    check_path(playbook);
    launch.vars_file = fmt::format("{}/job-{}.yml", env.vars_dir, serial);
    write_private_file(launch.vars_file, batch.empty() ? vars_yaml(msg, attempt) : batch_vars_yaml(batch, attempt));
    auto& argv = launch.spec.argv;
    argv = route.ansible.playbook_cmd;
    argv.push_back(playbook);
    argv.push_back("-e");
    argv.push_back("@" + launch.vars_file);
    if (!route.ansible.inventory.empty()) {
        argv.push_back("-i");
        argv.push_back(route.ansible.inventory);
    }
    if (!route.ansible.limit.empty()) {
        argv.push_back("--limit");
        argv.push_back(route.ansible.limit);
    }
    launch.spec.env = child_env(env, &route.ansible);
    return launch;
}

}  // namespace flr::engine
