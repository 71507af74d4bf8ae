#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace flow::wire {

// A frame a client sends on the plain WebSocket (/ws): `{"event", "data"?, "ack"?}`.
struct ClientFrame {
    std::string event;
    boost::json::value data;                // {} when absent
    std::optional<boost::json::value> ack;  // present (even null): the reply echoes it
};

// The frame in a text message, or `invalid_frame`.
Result<ClientFrame> read_client_frame(std::string_view text);

}  // namespace flow::wire
