#pragma once

#include "realtime/context.hpp"
#include "realtime/socketio/namespace.hpp"

namespace flow::realtime {

// Serves Flow's real-time events on a Socket.IO namespace: a client joins with its bearer
// token in the CONNECT auth payload `{token}` (refused with "unauthorized" otherwise);
// its events go to the Gateway, whose Result is the ack `[data]`; server events reach it
// through a DeviceSession on the connection's strand, as Socket.IO EVENT packets
// encoded once per event.
void serve_socketio(socketio::Namespace& nsp, Context& context);

}  // namespace flow::realtime
