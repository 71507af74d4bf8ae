#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace flow::realtime::engineio {

// The Engine.IO v4 packet types; the digit that starts a text packet.
enum class PacketType : std::uint8_t { open = 0, close, ping, pong, message, upgrade, noop };

// One Engine.IO packet. `binary` is only ever set on a message carried as bytes (a
// binary WebSocket frame, or "b" + base64 in a polling payload). A plain value.
struct Packet {
    PacketType type = PacketType::message;
    std::string data;
    bool binary = false;

    friend bool operator==(const Packet&, const Packet&) = default;
};

// What the server announces in its open packet.
struct Handshake {
    std::string sid;
    bool upgrade_to_websocket = false;  // upgrades: ["websocket"] or []
    long long ping_interval_ms = 25000;
    long long ping_timeout_ms = 20000;
    long long max_payload = 1000000;
};

// The record separator between packets of a polling payload.
inline constexpr char kRecordSeparator = '\x1e';

// `0{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`.
std::string encode_open(const Handshake& handshake);

// A text packet as a WebSocket text frame carries it: the type digit, then the data.
std::string encode_text(const Packet& packet);

// Appends one packet to a polling payload under construction: a record separator unless
// the payload is empty, then the text packet, or "b" + base64 for a binary message.
void append_to_payload(std::string& payload, PacketType type, std::string_view data, bool binary);

// A WebSocket text frame → packet; an error for an empty frame or an unknown type.
Result<Packet> decode_text(std::string_view frame);

// A polling payload (a POST body) → its packets, in order. One bad packet fails all.
Result<std::vector<Packet>> decode_payload(std::string_view payload);

}  // namespace flow::realtime::engineio
