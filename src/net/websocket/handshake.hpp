#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flow::net::websocket {

// The server's half of the opening handshake (RFC 6455 section 4.2): the 101 answer to an
// upgrade request with key `key` and version `version` (the Sec-WebSocket-Key and
// Sec-WebSocket-Version headers), or nullopt when they are not a valid version-13
// request (answer 400 then). No extension or subprotocol is agreed to.
std::optional<std::string> accept_response(std::string_view key, std::string_view version);

// The Sec-WebSocket-Accept value for `key`: base64(SHA-1(key + the RFC's GUID)).
std::string accept_key(std::string_view key);

}  // namespace flow::net::websocket
