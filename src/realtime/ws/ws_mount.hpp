#pragma once

#include "net/deadline_sweep.hpp"
#include "realtime/context.hpp"
#include "http/server/mount.hpp"

namespace flow::realtime::ws {

// The plain WebSocket transport at /ws: the bearer token in `Authorization` or
// `?token=`; the upgrade is checked and answered here, and the connection leaves the
// HTTP server for a net::websocket::Connection serving a realtime::ws::WsSession.
http::Mount ws_mount(Context& context);

}  // namespace flow::realtime::ws
