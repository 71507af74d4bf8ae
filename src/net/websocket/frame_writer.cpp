#include "net/websocket/frame_writer.hpp"

#include <cassert>
#include <cstring>

namespace flow::net::websocket {

FrameHeader::FrameHeader(Opcode opcode, std::uint64_t payload_size, bool fin) : bytes_{} {
    assert(!is_control(opcode) || (fin && payload_size <= 125));
    bytes_[0] = static_cast<std::byte>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode));
    std::size_t extended = 0;
    if (payload_size <= 125) {
        bytes_[1] = static_cast<std::byte>(payload_size);
    } else if (payload_size <= 0xFFFF) {
        bytes_[1] = std::byte{126};
        extended = 2;
    } else {
        bytes_[1] = std::byte{127};
        extended = 8;
    }
    for (std::size_t i = 0; i < extended; ++i)  // big-endian, the shortest form
        bytes_[2 + i] = static_cast<std::byte>(payload_size >> (8 * (extended - 1 - i)));
    size_ = static_cast<std::uint8_t>(2 + extended);
}

CloseFrame::CloseFrame() : bytes_{}, size_(2) {
    bytes_[0] = std::byte{0x88};
}

CloseFrame::CloseFrame(std::uint16_t code, std::string_view reason) : bytes_{} {
    if (reason.size() > 123) {
        // Cut before the code point that byte 123 belongs to, to leave valid UTF-8.
        std::size_t cut = 123;
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    bytes_[0] = std::byte{0x88};
    bytes_[1] = static_cast<std::byte>(2 + reason.size());
    bytes_[2] = static_cast<std::byte>(code >> 8);
    bytes_[3] = static_cast<std::byte>(code & 0xFF);
    if (!reason.empty()) std::memcpy(bytes_.data() + 4, reason.data(), reason.size());  // data() may be null
    size_ = static_cast<std::uint8_t>(4 + reason.size());
}

}  // namespace flow::net::websocket
