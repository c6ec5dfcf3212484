// Private: turning a (route, message, attempt) into a process to start. Commands get
// their placeholders filled as whole arguments; playbooks get a private vars file.
#pragma once

#include "core/process.hpp"
#include "engine/route.hpp"

#include <string>
#include <vector>

namespace flr::engine {

struct Launch {
    process::Spec spec;
    std::string vars_file;  // to remove when the run ends: vars or batch file ("" for single commands)
};

struct ActionEnv {
    std::string vars_dir;                // private (0700) directory for vars files
    std::vector<std::string> env_allow;  // extra variables passed through
};

// Throws FieldError (bad placeholder or path) or SystemError (vars file).
// `serial` makes the vars file name unique within vars_dir. A batch (not empty) gives a
// playbook `flr_messages` and a command a {batch_file}: a 0600 JSON list of the
// messages; placeholders otherwise read its first message, `msg`.
Launch prepare(const Route& route, const Message& msg, int attempt, const ActionEnv& env, unsigned long serial,
               const std::vector<const Message*>& batch = {});

// Write `data` to a new file with mode 0600 (O_EXCL, never follows links).
void write_private_file(const std::string& path, const std::string& data);

}  // namespace flr::engine
