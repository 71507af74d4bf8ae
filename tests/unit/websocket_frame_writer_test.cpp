#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/websocket/frame_writer.hpp"
#include "common/utf8.hpp"

namespace flow::net::websocket {
namespace {

std::vector<int> bytes(std::span<const std::byte> span) {
    std::vector<int> out;
    for (auto b : span) out.push_back(static_cast<int>(b));
    return out;
}

std::span<const std::byte> as_bytes(std::string_view text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

TEST(WebSocketFrameWriter, WritesTheRfcExamples) {
    // RFC 6455 section 5.7, the server's (unmasked) frames.
    EXPECT_EQ(bytes(FrameHeader(Opcode::text, 5).bytes()), (std::vector<int>{0x81, 0x05}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::text, 3, false).bytes()), (std::vector<int>{0x01, 0x03}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::continuation, 2).bytes()), (std::vector<int>{0x80, 0x02}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::ping, 5).bytes()), (std::vector<int>{0x89, 0x05}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::pong, 5).bytes()), (std::vector<int>{0x8a, 0x05}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::binary, 256).bytes()),
              (std::vector<int>{0x82, 0x7e, 0x01, 0x00}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::binary, 65536).bytes()),
              (std::vector<int>{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(WebSocketFrameWriter, UsesTheShortestLength) {
    EXPECT_EQ(bytes(FrameHeader(Opcode::binary, 0).bytes()), (std::vector<int>{0x82, 0}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::binary, 125).bytes()), (std::vector<int>{0x82, 125}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::binary, 126).bytes()),
              (std::vector<int>{0x82, 126, 0, 126}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::binary, 65535).bytes()),
              (std::vector<int>{0x82, 126, 0xff, 0xff}));
    EXPECT_EQ(bytes(FrameHeader(Opcode::text, 0x0102030405ull).bytes()),
              (std::vector<int>{0x81, 127, 0, 0, 0, 1, 2, 3, 4, 5}));
}

TEST(WebSocketFrameWriter, WritesCloseFrames) {
    EXPECT_EQ(bytes(CloseFrame().bytes()), (std::vector<int>{0x88, 0}));
    EXPECT_EQ(bytes(CloseFrame(1000).bytes()), (std::vector<int>{0x88, 2, 0x03, 0xe8}));
    EXPECT_EQ(bytes(CloseFrame(1009, "big").bytes()),
              (std::vector<int>{0x88, 5, 0x03, 0xf1, 'b', 'i', 'g'}));
}

TEST(WebSocketFrameWriter, CutsALongCloseReasonAtACodePoint) {
    std::string reason = std::string(122, 'r') + "\xc3\xa9" + "tail";  // é over bytes 122-123
    CloseFrame frame(1000, reason);
    auto out = frame.bytes();
    ASSERT_EQ(out.size(), 2u + 2 + 122);
    EXPECT_EQ(static_cast<int>(out[1]), 124);
    EXPECT_TRUE(is_valid_utf8(out.subspan(4)));
    EXPECT_EQ(CloseFrame(1000, std::string(200, 'x')).bytes().size(), 2u + 125);
}

}  // namespace
}  // namespace flow::net::websocket
