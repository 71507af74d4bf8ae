#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "net/websocket/frame.hpp"

namespace flow::net::websocket {

// The header of a server frame (unmasked, RFC 6455 section 5.2): 2, 4 or 10 bytes, so
// that a caller can writev() it followed by a payload shared among recipients, with no
// copy of the payload. A plain value.
class FrameHeader {
  public:
    // `fin` false starts or continues a fragmented message (then opcode is the message's
    // for the first fragment, continuation after). A control frame (ping, pong, close)
    // must be final with at most 125 bytes of payload.
    FrameHeader(Opcode opcode, std::uint64_t payload_size, bool fin = true);

    std::span<const std::byte> bytes() const { return std::span(bytes_).first(size_); }

  private:
    std::array<std::byte, 10> bytes_;
    std::uint8_t size_;
};

// A whole server close frame: header, code and reason (cut to the 123 bytes a control
// frame leaves it, at a code point boundary). Close frames are rare and small, so this
// one carries its payload.
class CloseFrame {
  public:
    CloseFrame(std::uint16_t code, std::string_view reason = {});
    // The close frame with no payload, for answering a close that gave no code.
    CloseFrame();

    std::span<const std::byte> bytes() const { return std::span(bytes_).first(size_); }

  private:
    std::array<std::byte, 2 + 125> bytes_;
    std::uint8_t size_;
};

}  // namespace flow::net::websocket
