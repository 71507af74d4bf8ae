// Socket.IO v5 packets: every example of the protocol's README, binary reassembly, and
// the packets the reference parser refuses.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "realtime/socketio/packet.hpp"

namespace flow::realtime::socketio {
namespace {

namespace json = boost::json;

Binary bytes(std::initializer_list<unsigned char> values) {
    return std::make_shared<const std::string>(values.begin(), values.end());
}

std::optional<json::value> payload(const char* text) { return json::parse(text); }

struct Example {
    Packet packet;
    std::string text;
};

// The README's tables, in order.
std::vector<Example> examples() {
    const auto ph0 = R"({"_placeholder":true,"num":0})";
    const auto ph1 = R"({"_placeholder":true,"num":1})";
    return {
        {{PacketType::connect, "/", {}, {}, {}}, "0"},
        {{PacketType::connect, "/", {}, payload(R"({"sid":"wZX3oN0bSVIhsaknAAAI"})"), {}}, R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})"},
        {{PacketType::connect, "/admin", {}, {}, {}}, "0/admin,"},
        {{PacketType::connect, "/admin", {}, payload(R"({"sid":"oSO0OpakMV_3jnilAAAA"})"), {}},
         R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})"},
        {{PacketType::connect_error, "/", {}, payload(R"({"message":"Not authorized"})"), {}}, R"(4{"message":"Not authorized"})"},
        {{PacketType::event, "/", {}, payload(R"(["foo"])"), {}}, R"(2["foo"])"},
        {{PacketType::event, "/admin", {}, payload(R"(["bar"])"), {}}, R"(2/admin,["bar"])"},
        {{PacketType::binary_event, "/", {}, payload((std::string(R"(["baz",)") + ph0 + "]").c_str()), {bytes({1, 2, 3, 4})}},
         std::string(R"(51-["baz",)") + ph0 + "]"},
        {{PacketType::binary_event, "/admin", {}, payload((std::string(R"(["baz",)") + ph0 + "," + ph1 + "]").c_str()),
          {bytes({1, 2}), bytes({3, 4})}},
         std::string(R"(52-/admin,["baz",)") + ph0 + "," + ph1 + "]"},
        {{PacketType::event, "/", 12, payload(R"(["foo"])"), {}}, R"(212["foo"])"},
        {{PacketType::ack, "/", 12, payload("[]"), {}}, "312[]"},
        {{PacketType::event, "/admin", 13, payload(R"(["foo"])"), {}}, R"(2/admin,13["foo"])"},
        {{PacketType::ack, "/admin", 13, payload(R"(["bar"])"), {}}, R"(3/admin,13["bar"])"},
        {{PacketType::binary_event, "/", 14, payload((std::string(R"(["foo",)") + ph0 + "]").c_str()), {bytes({1, 2, 3, 4})}},
         std::string(R"(51-14["foo",)") + ph0 + "]"},
        {{PacketType::ack, "/", 14, payload(R"(["bar"])"), {}}, R"(314["bar"])"},
        {{PacketType::event, "/", 15, payload(R"(["foo"])"), {}}, R"(215["foo"])"},
        {{PacketType::binary_ack, "/", 15, payload((std::string(R"(["bar",)") + ph0 + "]").c_str()), {bytes({1, 2, 3, 4})}},
         std::string(R"(61-15["bar",)") + ph0 + "]"},
        {{PacketType::disconnect, "/", {}, {}, {}}, "1"},
        {{PacketType::disconnect, "/admin", {}, {}, {}}, "1/admin,"},
    };
}

TEST(SocketIoPacket, EncodesTheSpecificationExamples) {
    for (const auto& [packet, text] : examples()) {
        const auto encoded = encode(packet);
        EXPECT_EQ(*encoded.text, text);
        ASSERT_EQ(encoded.attachments.size(), packet.attachments.size());
        for (std::size_t i = 0; i < packet.attachments.size(); ++i)
            EXPECT_EQ(encoded.attachments[i], packet.attachments[i]) << "attachments are shared, not copied";
    }
}

TEST(SocketIoPacket, DecodesTheSpecificationExamples) {
    for (const auto& [expected, text] : examples()) {
        Decoder decoder;
        auto step = decoder.add_text(text);
        ASSERT_TRUE(step) << text << ": " << step.error().message;
        for (const auto& attachment : expected.attachments) {
            ASSERT_FALSE(*step) << text << ": complete before its attachments";
            step = decoder.add_binary(attachment);
            ASSERT_TRUE(step);
        }
        ASSERT_TRUE(*step) << text;
        const auto& packet = **step;
        EXPECT_EQ(packet.type, expected.type) << text;
        EXPECT_EQ(packet.nsp, expected.nsp) << text;
        EXPECT_EQ(packet.id, expected.id) << text;
        EXPECT_EQ(packet.data, expected.data) << text;
        ASSERT_EQ(packet.attachments.size(), expected.attachments.size()) << text;
        for (std::size_t i = 0; i < packet.attachments.size(); ++i) EXPECT_EQ(*packet.attachments[i], *expected.attachments[i]);
    }
}

TEST(SocketIoPacket, EventsWithAttachmentsGoOutAsBinaryTypes) {
    Packet event{PacketType::event, "/", {}, payload(R"(["x",{"_placeholder":true,"num":0}])"), {bytes({7})}};
    EXPECT_EQ(*encode(event).text, R"(51-["x",{"_placeholder":true,"num":0}])");
    Packet ack{PacketType::ack, "/chat", 3, payload(R"([{"_placeholder":true,"num":0}])"), {bytes({7})}};
    EXPECT_EQ(*encode(ack).text, R"(61-/chat,3[{"_placeholder":true,"num":0}])");
}

TEST(SocketIoPacket, ReadsANamespaceWithoutItsComma) {
    Decoder decoder;
    const auto packet = decoder.add_text("0/random");
    ASSERT_TRUE(packet && *packet);
    EXPECT_EQ((*packet)->nsp, "/random");
    EXPECT_FALSE((*packet)->data);
}

TEST(SocketIoPacket, ReassemblesAcrossFrames) {
    Decoder decoder;
    ASSERT_FALSE(*decoder.add_text(R"(52-/admin,7["a",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])"));
    ASSERT_FALSE(*decoder.add_binary(bytes({1})));
    const auto packet = decoder.add_binary(bytes({2}));
    ASSERT_TRUE(packet && *packet);
    EXPECT_EQ((*packet)->id, 7u);
    EXPECT_EQ(*(*packet)->attachments[1], "\x02");
    // The decoder is ready for the next packet.
    const auto next = decoder.add_text(R"(2["b"])");
    ASSERT_TRUE(next && *next);
    EXPECT_EQ(json::serialize(*(*next)->data), R"(["b"])");
}

TEST(SocketIoPacket, RefusesWhatTheReferenceRefuses) {
    const char* invalid[] = {
        "",                                           // nothing
        "7", "a", "abc",                              // unknown type
        R"(2{})",                                     // an event payload that is not an array
        R"(2[])",                                     // an event without a name
        R"(2[{}])",                                   // a name that is not a string
        R"(2["connect"])",                            // a reserved event name
        R"(2["disconnecting"])",                      //
        "2",                                          // an event without payload
        "3",                                          // an ack without payload
        R"(3{})",                                     // an ack payload that is not an array
        R"(0[])",                                     // a CONNECT payload that is not an object
        R"(0"token")",                                //
        R"(1{})",                                     // a DISCONNECT with a payload
        R"(4[])",                                     // a CONNECT_ERROR that is neither string nor object
        R"(2abc["message-with-ack",1])",              // an invalid ack id
        R"(299999999999999999999999["a"])",           // an ack id that overflows
        R"(2["a"]x)",                                 // trailing garbage
        R"(2["a")",                                   // broken JSON
        R"(5-["a"])",                                 // attachments without a count
        R"(51["a"])",                                 // a count without its dash
        R"(5x-["a"])",                                //
        R"(51-["a",{"_placeholder":true,"num":1}])",  // a placeholder beyond the attachments
        R"(51-["a",{"_placeholder":true,"num":"0"}])",
        R"(51-["a",{"_placeholder":true}])",
    };
    for (const char* text : invalid) {
        Decoder decoder;
        EXPECT_FALSE(decoder.add_text(text)) << text;
    }
}

TEST(SocketIoPacket, RefusesFramesOutOfOrder) {
    Decoder binary_first;
    EXPECT_FALSE(binary_first.add_binary(bytes({1})));
    Decoder text_while_waiting;
    ASSERT_TRUE(text_while_waiting.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
    EXPECT_FALSE(text_while_waiting.add_text(R"(2["b"])"));
}

TEST(SocketIoPacket, AcceptsNumericEventNamesAndEmptyAcks) {
    Decoder decoder;
    EXPECT_TRUE(decoder.add_text("2[1]"));
    EXPECT_TRUE(decoder.add_text("3/admin,1[]"));
    EXPECT_TRUE(decoder.add_text(R"(4"Not authorized")"));
    EXPECT_TRUE(decoder.add_text(R"(50-["plain"])"));
}

TEST(SocketIoPacket, BoundsTheAttachmentsItHolds) {
    const auto megabytes = [](double n) { return std::make_shared<const std::string>(std::size_t(n * 1e6), 'x'); };
    // By default at most Engine.IO's maxPayload in all, waiting for one packet.
    Decoder decoder;
    ASSERT_TRUE(decoder.add_text(R"(51000-["x"])"));
    ASSERT_NE(decoder.pending(), nullptr);
    EXPECT_EQ(decoder.pending()->nsp, "/");
    EXPECT_EQ(decoder.pending()->type, PacketType::binary_event);
    ASSERT_TRUE(decoder.add_binary(megabytes(0.6)));
    const auto breach = decoder.add_binary(megabytes(0.6));
    ASSERT_FALSE(breach);
    EXPECT_EQ(breach.error().code, "invalid_packet");
    EXPECT_EQ(decoder.pending(), nullptr) << "what it held is let go";
    EXPECT_FALSE(decoder.add_binary(megabytes(0.1))) << "unusable after the error";

    // The bound is on what waits at once: packets one after another may each use it all.
    Decoder small(10);
    ASSERT_FALSE(*small.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
    const auto whole = small.add_binary(std::make_shared<const std::string>(10, 'y'));
    ASSERT_TRUE(whole && *whole);
    ASSERT_FALSE(*small.add_text(R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"));
    ASSERT_TRUE(small.add_binary(std::make_shared<const std::string>(6, 'y')));
    EXPECT_FALSE(small.add_binary(std::make_shared<const std::string>(5, 'y')));
}

}  // namespace
}  // namespace flow::realtime::socketio
