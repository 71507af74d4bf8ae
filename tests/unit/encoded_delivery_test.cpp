#include "wire/encoded_delivery.hpp"

#include <gtest/gtest.h>

namespace flow::wire {
namespace {

TEST(EncodedDelivery, AnEventCrossesToAnotherNodeAsItWasEncoded) {
    const auto sent = encode(Delivery{{"u1", "u2"}, "s1", event::Typing{"c1", "u2", true}, ""});
    EXPECT_EQ(sent.event, "typing");
    EXPECT_EQ(sent.state_key, "typing c1 u2");

    const auto received = from_envelope(to_envelope(sent));
    ASSERT_TRUE(received);
    EXPECT_EQ(received->user_ids, sent.user_ids);
    EXPECT_EQ(received->except_session, "s1");
    EXPECT_EQ(received->event, sent.event);
    EXPECT_EQ(received->data_json, sent.data_json);
    EXPECT_EQ(received->state_key, sent.state_key);
    EXPECT_TRUE(received->ended_session.empty());
}

TEST(EncodedDelivery, ASignOutCarriesOnlyTheSessionThatEnded) {
    const auto received = from_envelope(to_envelope(encode(Delivery{{"u1"}, "", event::SessionEnded{"s9"}, ""})));
    ASSERT_TRUE(received);
    EXPECT_EQ(received->user_ids, std::vector<std::string>{"u1"});
    EXPECT_EQ(received->ended_session, "s9");
    EXPECT_TRUE(received->event.empty());
}

TEST(EncodedDelivery, AMalformedEnvelopeIsRefused) {
    for (const char* text : {"", "not json", "[]", R"({"event":"typing","data":{}})",
                             R"({"to":"u1","event":"typing","data":{}})", R"({"to":["u1"],"data":{}})",
                             R"({"to":["u1"],"event":"typing"})"})
        EXPECT_FALSE(from_envelope(text)) << text;
}

}  // namespace
}  // namespace flow::wire
