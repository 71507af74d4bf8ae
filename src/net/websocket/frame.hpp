#pragma once

#include <cstdint>

// What both directions of RFC 6455 framing share: opcodes and close codes.
namespace flow::net::websocket {

// The opcodes RFC 6455 defines (section 5.2); every other value is refused.
enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

inline constexpr bool is_control(Opcode opcode) {
    return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

// Close codes the codec itself sends or reports (RFC 6455 section 7.4.1).
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005;  // reported for an empty close; never sent
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t message_too_big = 1009;
inline constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

// Whether a peer may send `code` in a close frame. Valid: 1000-1003 and 1007-1011
// (RFC 6455 7.4.1), 1012-1014 (registered with IANA since: service restart, try again
// later, bad gateway), and 3000-4999 (libraries, frameworks and applications). Refused:
// below 1000, 1004 (reserved), 1005, 1006 and 1015 (never sent on the wire), the rest of
// 1016-2999 (reserved for the protocol) and 5000 and up (undefined).
inline constexpr bool is_valid_close_code(std::uint16_t code) {
    if (code >= 3000 && code <= 4999) return true;
    if (code < 1000 || code > 1014) return false;
    return code != 1004 && code != 1005 && code != 1006;
}

}  // namespace flow::net::websocket
