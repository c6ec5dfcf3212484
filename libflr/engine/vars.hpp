// Private: the Ansible vars file of a playbook job. YAML in JSON-like flow style where
// every string that came from the message (keys included) is tagged `!unsafe`, so
// Ansible never templates it: a body holding "{{ lookup('pipe', ...) }}" stays text.
#pragma once

#include "engine/message.hpp"

#include <string>
#include <vector>

namespace flr::engine {

// The whole file: `msg` (the body, as loopabull passed it) and `flr_message`
// {topic, id, headers, sent_at, attempt}.
std::string vars_yaml(const Message& msg, int attempt);

// A batched route's file: `flr_messages`, a list of message records (batch_record), and
// `flr_batch` {size, attempt}.
std::string batch_vars_yaml(const std::vector<const Message*>& batch, int attempt);

// One message of a batch: {topic, id, sent_at, headers, body} (id and sent_at null when
// the message has none).
Json batch_record(const Message& msg);

// The same list as JSON (a command's {batch_file}).
std::string batch_json(const std::vector<const Message*>& batch);

// One value in the same style (exposed for tests).
void emit_unsafe(const Json& value, std::string& out);

}  // namespace flr::engine
