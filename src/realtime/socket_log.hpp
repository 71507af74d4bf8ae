#pragma once

#include <string_view>

#include "service/auth_service.hpp"

namespace flow::realtime {

// The log lines of a device's socket, on either transport ("ws" or "socket.io"):
// `socket opened transport=ws user=... device=...` and `socket closed ... reason=...`.
void log_socket_opened(std::string_view transport, const Caller& device);
void log_socket_closed(std::string_view transport, const Caller& device, std::string_view reason);

}  // namespace flow::realtime
