#include "core/process.hpp"

#include <flr/config.hpp>
#include <flr/error.hpp>
#include <flr/git.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::git {

Repository::~Repository() = default;

namespace {

using namespace std::chrono_literals;

// Refs and paths come from tickets: never let one pass for an option.
const std::string& checked(const std::string& arg, const char* what) {
    if (arg.empty() || arg.starts_with('-') || arg.find('\0') != std::string::npos) {
        throw UsageError(fmt::format("invalid git {} \"{}\"", what, arg));
    }
    return arg;
}

std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of("\n ");
    if (end == std::string::npos) {
        return {};
    }
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

class CliRepository final : public Repository {
public:
    CliRepository(std::string dir, Identity identity) : dir_(std::move(dir)), identity_(std::move(identity)) {}

    const std::string& path() const override { return dir_; }

    void checkout(const std::string& branch) override {
        checked(branch, "branch");
        run({"checkout", "--quiet", "-B", branch, "refs/remotes/origin/" + branch, "--"});
        branch_ = branch;
    }

    std::vector<std::string> remote_branches() override {
        std::vector<std::string> out;
        std::string text = run({"for-each-ref", "--format=%(refname:lstrip=3)", "refs/remotes/origin/"});
        for (std::size_t pos = 0; pos < text.size();) {
            auto nl = text.find('\n', pos);
            std::string name = text.substr(pos, nl - pos);
            if (!name.empty() && name != "HEAD") {
                out.push_back(name);
            }
            pos = nl == std::string::npos ? text.size() : nl + 1;
        }
        return out;
    }

    std::string head() override { return trim(run({"rev-parse", "--verify", "HEAD"})); }

    std::vector<Commit> log(const std::string& ref, const std::string& path, int max) override {
        std::vector<std::string> args{"log", "--format=%H%x00%an%x00%ae%x00%at%x00%s%x00%b%x1e"};
        if (max > 0) {
            args.push_back(fmt::format("--max-count={}", max));
        }
        args.insert(args.end(), {"--end-of-options", checked(ref, "ref"), "--"});
        if (!path.empty()) {
            args.push_back(path);
        }
        return parse_log(run(args));
    }

    std::optional<std::string> show(const std::string& ref, const std::string& path) override {
        std::string object = checked(ref, "ref") + ":" + path;
        if (!attempt({"cat-file", "-e", "--end-of-options", object}).ok()) {
            return std::nullopt;
        }
        return run({"cat-file", "blob", "--end-of-options", object});
    }

    bool contains(const std::string& ref, const std::string& ancestor) override {
        auto r = attempt(
            {"merge-base", "--is-ancestor", "--end-of-options", checked(ancestor, "commit"), checked(ref, "ref")});
        if (r.exit_code > 1 || r.signal || r.timed_out) {
            throw Error(fmt::format("git merge-base: {}: {}", r.describe(), last_line(r.err)));
        }
        return r.ok();
    }

    std::string revert(const std::string& commit, const std::string& message) override {
        std::string full =
            trim(run({"rev-parse", "--verify", "--end-of-options", checked(commit, "commit") + "^{commit}"}));
        auto r = attempt({"revert", "--no-commit", "--end-of-options", full});
        if (!r.ok()) {
            attempt({"revert", "--abort"});
            throw Error(fmt::format("git revert {} failed on {}: {}", full.substr(0, 12), branch_,
                                    last_line(r.err.empty() ? r.out : r.err)));
        }
        run({"commit", "--quiet", "--signoff", "-m", message, "-m", "This reverts commit " + full + "."});
        return head();
    }

    void fast_forward(const std::string& commit) override {
        run({"merge", "--quiet", "--ff-only", "--end-of-options", checked(commit, "commit")});
    }

    void push() override {
        if (branch_.empty()) {
            throw Error("git push: no branch checked out");
        }
        auto r = attempt({"push", "--quiet", "origin", "HEAD:refs/heads/" + branch_}, 10min);
        if (!r.ok()) {
            throw RemoteError("git", fmt::format("push to {}: {}: {}", branch_, r.describe(), last_line(r.err)));
        }
    }

    // Run git in the clone; a failure throws Error with git's last line of stderr.
    std::string run(const std::vector<std::string>& args) {
        auto r = attempt(args);
        if (!r.ok()) {
            throw Error(fmt::format("git {}: {}: {}", args.front(), r.describe(), last_line(r.err)));
        }
        return r.out;
    }

    process::Result attempt(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 2min) {
        process::Spec spec;
        spec.argv = {"git",
                     "-C",
                     dir_,
                     "-c",
                     "user.name=" + identity_.name,
                     "-c",
                     "user.email=" + identity_.email,
                     "-c",
                     "commit.gpgsign=false",
                     "-c",
                     "core.hooksPath=/dev/null"};
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.env = environment();
        log::debug(fmt::format("git {}", args.front()));
        return process::run(spec, timeout, 5s);
    }

    static std::vector<std::string> environment() {
        auto env = process::minimal_env({"SSH_AUTH_SOCK"});
        env.insert(env.end(), {"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C"});
        return env;
    }

private:
    static std::string trim(std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
            s.pop_back();
        }
        return s;
    }

    static std::vector<Commit> parse_log(const std::string& text) {
        std::vector<Commit> out;
        std::size_t pos = 0;
        while (true) {
            auto end = text.find('\x1e', pos);
            if (end == std::string::npos) {
                return out;
            }
            std::string record = text.substr(pos, end - pos);
            pos = end + 1;
            record.erase(0, record.find_first_not_of('\n'));
            std::vector<std::string> f;
            std::size_t s = 0;
            for (std::size_t z; f.size() < 5 && (z = record.find('\0', s)) != std::string::npos; s = z + 1) {
                f.push_back(record.substr(s, z - s));
            }
            if (f.size() < 5) {
                continue;
            }
            std::string body = record.substr(s);
            out.push_back({f[0], f[1], f[2], std::stoll(f[3]), f[4], trim(body)});
        }
    }

    std::string dir_;
    Identity identity_;
    std::string branch_;
};

}  // namespace

std::string clone_url(const Config& config, const std::string& fullname) {
    return clone_url(config.section("distgit").required_string("git_url"), fullname);
}

std::string clone_url(std::string base, const std::string& fullname) {
    while (base.ends_with('/')) {
        base.pop_back();
    }
    if (fullname.empty() || fullname.find("..") != std::string::npos || fullname.starts_with('/')) {
        throw UsageError(fmt::format("invalid project name \"{}\"", fullname));
    }
    return base + "/" + fullname + ".git";
}

std::unique_ptr<Repository> clone(const std::string& url, const std::string& dir, const Identity& identity) {
    checked(url, "URL");
    process::Spec spec;
    spec.argv = {"git", "-c", "core.hooksPath=/dev/null", "clone", "--quiet", "--no-checkout", "--", url, dir};
    spec.env = CliRepository::environment();
    auto r = process::run(spec, 10min, 5s);
    if (!r.ok()) {
        throw RemoteError("git", fmt::format("clone {}: {}: {}", url, r.describe(), last_line(r.err)));
    }
    return std::make_unique<CliRepository>(dir, identity);
}

}  // namespace flr::git
