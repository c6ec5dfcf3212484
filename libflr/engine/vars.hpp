// Private: the Ansible vars file of a playbook job. YAML in JSON-like flow style where
// every string that came from the message (keys included) is tagged `!unsafe`, so
// Ansible never templates it: a body holding "{{ lookup('pipe', ...) }}" stays text.
#pragma once

#include "engine/message.hpp"

#include <string>

namespace flr::engine {

// The whole file: `msg` (the body, as loopabull passed it) and `flr_message`
// {topic, id, headers, sent_at, attempt}.
std::string vars_yaml(const Message& msg, int attempt);

// One value in the same style (exposed for tests).
void emit_unsafe(const Json& value, std::string& out);

}  // namespace flr::engine
