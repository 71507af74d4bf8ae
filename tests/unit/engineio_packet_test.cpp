// Engine.IO v4 packets and payloads, against the protocol's examples.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "realtime/engineio/base64.hpp"
#include "realtime/engineio/packet.hpp"

namespace flow::realtime::engineio {
namespace {

TEST(EngineIoBase64, KnownVectors) {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"}, {std::string("\x01\x02\x03\x04", 4), "AQIDBA=="}, {"\xff\xfe", "//4="}};
    for (const auto& [bytes, text] : vectors) {
        EXPECT_EQ(base64_encode(bytes), text);
        EXPECT_EQ(base64_decode(text), bytes);
    }
}

TEST(EngineIoBase64, RoundTripsEveryByte) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    for (std::size_t n = 0; n <= bytes.size(); n += 37) EXPECT_EQ(base64_decode(base64_encode(bytes.substr(0, n))), bytes.substr(0, n));
}

TEST(EngineIoBase64, RejectsInvalidText) {
    for (const char* text : {"A", "AQI", "AQ=D", "A===", "AQ!D", "AQIDBA=", "=AAA"}) EXPECT_FALSE(base64_decode(text)) << text;
}

TEST(EngineIoPacket, EncodesEachTypeAsItsDigit) {
    EXPECT_EQ(encode_text({PacketType::open, "{}"}), "0{}");
    EXPECT_EQ(encode_text({PacketType::close, ""}), "1");
    EXPECT_EQ(encode_text({PacketType::ping, "probe"}), "2probe");
    EXPECT_EQ(encode_text({PacketType::pong, "probe"}), "3probe");
    EXPECT_EQ(encode_text({PacketType::message, "HelloWorld"}), "4HelloWorld");
    EXPECT_EQ(encode_text({PacketType::upgrade, ""}), "5");
    EXPECT_EQ(encode_text({PacketType::noop, ""}), "6");
}

TEST(EngineIoPacket, DecodesTextFrames) {
    EXPECT_EQ(*decode_text("2probe"), (Packet{PacketType::ping, "probe"}));
    EXPECT_EQ(*decode_text("3"), (Packet{PacketType::pong, ""}));
    EXPECT_EQ(*decode_text("4HelloWorld"), (Packet{PacketType::message, "HelloWorld"}));
    EXPECT_EQ(*decode_text("5"), (Packet{PacketType::upgrade, ""}));
    EXPECT_EQ(*decode_text("6"), (Packet{PacketType::noop, ""}));
    EXPECT_EQ(*decode_text("4€"), (Packet{PacketType::message, "€"}));
}

TEST(EngineIoPacket, RejectsUnknownTypes) {
    for (const char* frame : {"", "7", "9x", "abc", "b4AQ=="}) EXPECT_FALSE(decode_text(frame)) << frame;
}

TEST(EngineIoPacket, OpenPacketHasTheReferenceKeys) {
    const auto open = encode_open({"lv_VI97HAXpY6yYWAAAC", true, 25000, 5000, 1000000});
    EXPECT_EQ(open,
              R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000})");
    const auto websocket = encode_open({"abc", false, 300, 200, 1000000});
    EXPECT_EQ(boost::json::parse(websocket.substr(1)).at("upgrades").as_array().size(), 0u);
}

TEST(EngineIoPayload, EncodesTheSpecificationExample) {
    // Packets "hello", "€" and the bytes 01 02 03 04 in one polling payload.
    std::string payload;
    append_to_payload(payload, PacketType::message, "hello", false);
    append_to_payload(payload, PacketType::message, "€", false);
    append_to_payload(payload, PacketType::message, std::string("\x01\x02\x03\x04", 4), true);
    EXPECT_EQ(payload, "4hello\x1e" "4€\x1e" "bAQIDBA==");
}

TEST(EngineIoPayload, DecodesTheSpecificationExample) {
    const auto packets = decode_payload("4hello\x1e" "4€\x1e" "bAQIDBA==");
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 3u);
    EXPECT_EQ((*packets)[0], (Packet{PacketType::message, "hello"}));
    EXPECT_EQ((*packets)[1], (Packet{PacketType::message, "€"}));
    EXPECT_EQ((*packets)[2], (Packet{PacketType::message, std::string("\x01\x02\x03\x04", 4), true}));
}

TEST(EngineIoPayload, DecodesSinglePacketsAndControlPackets) {
    const auto packets = decode_payload("2\x1e" "3\x1e" "1");
    ASSERT_TRUE(packets);
    EXPECT_EQ(*packets, (std::vector<Packet>{{PacketType::ping, ""}, {PacketType::pong, ""}, {PacketType::close, ""}}));
    EXPECT_EQ(decode_payload("6")->front().type, PacketType::noop);
}

TEST(EngineIoPayload, RejectsAnyBadPacket) {
    for (const char* payload : {"", "abc", "4hello\x1e", "\x1e" "4hello", "4a\x1exyz", "b!!!!", "bAQI", "7"})
        EXPECT_FALSE(decode_payload(payload)) << payload;
}

}  // namespace
}  // namespace flow::realtime::engineio
