#include "realtime/socket_log.hpp"

#include "common/log_format.hpp"

namespace flow::realtime {

void log_socket_opened(std::string_view transport, const Caller& device) {
    logs::Line("socket opened")
        .add("transport", transport)
        .add("user", device.user_id)
        .add("device", device.session_id)
        .write(spdlog::level::info);
}

void log_socket_closed(std::string_view transport, const Caller& device, std::string_view reason) {
    logs::Line("socket closed")
        .add("transport", transport)
        .add("user", device.user_id)
        .add("device", device.session_id)
        .add("reason", reason.empty() ? "unknown" : reason)
        .write(spdlog::level::info);
}

}  // namespace flow::realtime
