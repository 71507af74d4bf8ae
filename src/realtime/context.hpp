#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>

#include "net/deadline_sweep.hpp"
#include "realtime/gateway.hpp"
#include "realtime/hub.hpp"
#include "realtime/socket_quota.hpp"
#include "service/auth_service.hpp"
#include "service/message_service.hpp"
#include "service/presence_service.hpp"

namespace flow::realtime {

// What a socket connection needs from the rest of the server, whichever transport.
struct Context {
    // The error a device gets for a socket past its quota.
    static Error too_many_sockets() {
        return {ErrorKind::rate_limited, "too_many_sockets", "this device has too many sockets open", {}};
    }

    AuthService& auth;
    MessageService& messages;
    PresenceService& presence;
    Gateway& gateway;
    Hub& hub;
    SocketQuota& quota;  // sockets per device
    boost::asio::thread_pool& blocking;
    net::DeadlineSweep& deadlines;  // pings and idle timeouts of WebSocket connections
    std::size_t max_outbound_bytes = 8 * 1024 * 1024;  // past it a slow reader is dropped
    // Queued bytes under which a device's catch-up goes on (DeviceSession::Outlet::after_room).
    std::size_t catch_up_room() const { return max_outbound_bytes / 2; }
    std::size_t max_frame_bytes = 256 * 1024;
    std::chrono::seconds idle_timeout{45};  // no frame nor pong for this long: dropped
};

}  // namespace flow::realtime
