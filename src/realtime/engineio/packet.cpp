#include "realtime/engineio/packet.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "realtime/engineio/base64.hpp"

namespace flow::realtime::engineio {

std::string encode_open(const Handshake& handshake) {
    boost::json::object open;
    open["sid"] = handshake.sid;
    auto& upgrades = open["upgrades"].emplace_array();
    if (handshake.upgrade_to_websocket) upgrades.emplace_back("websocket");
    open["pingInterval"] = handshake.ping_interval_ms;
    open["pingTimeout"] = handshake.ping_timeout_ms;
    open["maxPayload"] = handshake.max_payload;
    return "0" + boost::json::serialize(open);
}

std::string encode_text(const Packet& packet) {
    std::string out;
    out.reserve(1 + packet.data.size());
    out += static_cast<char>('0' + static_cast<int>(packet.type));
    out += packet.data;
    return out;
}

void append_to_payload(std::string& payload, PacketType type, std::string_view data, bool binary) {
    if (!payload.empty()) payload += kRecordSeparator;
    if (binary) {
        payload += 'b';
        payload += base64_encode(data);
        return;
    }
    payload += static_cast<char>('0' + static_cast<int>(type));
    payload += data;
}

Result<Packet> decode_text(std::string_view frame) {
    if (frame.empty()) return Error::invalid("empty_packet", "an empty Engine.IO packet");
    const char type = frame.front();
    if (type < '0' || type > '6')
        return Error::invalid("unknown_packet_type", "an unknown Engine.IO packet type");
    return Packet{static_cast<PacketType>(type - '0'), std::string(frame.substr(1)), false};
}

Result<std::vector<Packet>> decode_payload(std::string_view payload) {
    std::vector<Packet> packets;
    for (;;) {
        const auto end = payload.find(kRecordSeparator);
        const auto encoded = payload.substr(0, end);
        if (encoded.starts_with('b')) {
            auto bytes = base64_decode(encoded.substr(1));
            if (!bytes) return Error::invalid("bad_base64", "a binary packet that is not base64");
            packets.push_back({PacketType::message, std::move(*bytes), true});
        } else {
            auto packet = decode_text(encoded);
            if (!packet) return std::move(packet).error();
            packets.push_back(std::move(*packet));
        }
        if (end == std::string_view::npos) break;
        payload.remove_prefix(end + 1);
    }
    return packets;
}

}  // namespace flow::realtime::engineio
