#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace flow::realtime::socketio {

// Bytes of a binary attachment, immutable so that one copy serves every recipient.
using Binary = std::shared_ptr<const std::string>;

// The Socket.IO v5 packet types; the digit that starts an encoded packet.
enum class PacketType : std::uint8_t {
    connect = 0,
    disconnect,
    event,
    ack,
    connect_error,
    binary_event,
    binary_ack,
};

// One Socket.IO packet. Binary values inside `data` stand as placeholders
// {"_placeholder":true,"num":i} whose bytes are attachments[i]. A plain value.
struct Packet {
    PacketType type = PacketType::event;
    std::string nsp = "/";
    std::optional<std::uint64_t> id;        // the ack id
    std::optional<boost::json::value> data;  // absent: no payload
    std::vector<Binary> attachments;
};

// A packet as it goes on the wire: one text frame (without Engine.IO's "4"), then its
// binary attachments, one frame each. Immutable and cheap to copy: encode once, send the
// same buffers to many sockets.
struct EncodedPacket {
    std::shared_ptr<const std::string> text;
    std::vector<Binary> attachments;
};

// {"_placeholder":true,"num":num}: where attachment `num` stands in a payload.
boost::json::object placeholder(std::size_t num);

// The wire form: `<type>[<n>-][<nsp>,][<id>][<json>]`. EVENT and ACK packets with
// attachments go out as BINARY_EVENT and BINARY_ACK.
EncodedPacket encode(const Packet& packet);

// The most bytes of attachments a Decoder holds for one packet by default: Engine.IO's
// maxPayload, so that a packet's attachments together weigh no more than one message may.
inline constexpr std::size_t kMaxAttachmentBytes = 1'000'000;

// Reassembles packets from the frames of one connection, in order: a text frame, then as
// many binary frames as it announced. Validates like the reference parser (type, binary
// count, namespace, ack id, JSON, payload shape per type, placeholders); the first error
// leaves the decoder unusable, as the connection must then close. Attachments waiting
// for the rest of their packet are bounded: past `max_attachment_bytes` in all, the
// frame is an error, so that a client cannot make the server hold ever more of them.
// Not thread-safe.
class Decoder {
public:
    explicit Decoder(std::size_t max_attachment_bytes = kMaxAttachmentBytes)
        : max_attachment_bytes_(max_attachment_bytes) {}

    // A complete packet, nullopt while attachments are still due, or the error.
    Result<std::optional<Packet>> add_text(std::string_view frame);
    Result<std::optional<Packet>> add_binary(Binary frame);

    // The header of the binary packet whose attachments are due (its data and the
    // attachments so far), so that the caller may refuse it before they arrive; null
    // when none is.
    const Packet* pending() const { return pending_.get(); }

private:
    const std::size_t max_attachment_bytes_;
    // A binary packet waiting for its attachments; apart, since most clients never send one.
    std::unique_ptr<Packet> pending_;
    std::size_t expected_ = 0;
    std::size_t pending_bytes_ = 0;  // of the attachments in pending_
};

}  // namespace flow::realtime::socketio
