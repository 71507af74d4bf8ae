#pragma once

#include "server/mount.hpp"
#include "realtime/context.hpp"

namespace flow::server {

// The plain WebSocket transport at /ws: the bearer token in `Authorization` or
// `?token=`, each frame a JSON object `{"event", "data", "ack"?}`, acks as
// `{"ack": n, "data"}`, events as `{"event", "data"}`.
Mount plain_socket_mount(realtime::Context& context);

}  // namespace flow::server
