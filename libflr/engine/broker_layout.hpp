// Private: what flr-listen declares on the broker. Unless passive_declares: the
// dead-letter exchange and queue, then either the work queue bound to the exchange, or
// (amqp.shards) a consistent-hash exchange bound to the exchange and spreading the
// messages over single-active-consumer shard queues.
#pragma once

#include "core/amqp.hpp"
#include "engine/listen_config.hpp"

namespace flr::engine {

// Declares the layout (or checks passively that the queues exist). Throws RemoteError.
void declare_layout(amqp::Channel& ch, const AmqpSettings& a);

// SIGHUP with derived bindings: binds the new keys and unbinds the ones no route uses
// now (on the work queue, or on the consistent-hash exchange). Throws RemoteError.
void rebind_layout(amqp::Channel& ch, const AmqpSettings& before, const AmqpSettings& after);

}  // namespace flr::engine
