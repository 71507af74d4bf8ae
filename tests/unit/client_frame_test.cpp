#include "wire/client_frame.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace flow::wire {
namespace {

TEST(ClientFrame, ReadsEventDataAndAck) {
    auto frame = read_client_frame(R"({"event":"typing","data":{"chat_id":"c1"},"ack":7})");
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->event, "typing");
    EXPECT_EQ(boost::json::serialize(frame->data), R"({"chat_id":"c1"})");
    ASSERT_TRUE(frame->ack);
    EXPECT_EQ(*frame->ack, 7);
}

TEST(ClientFrame, DataIsAnEmptyObjectWhenAbsentAndAckMayBeNull) {
    auto frame = read_client_frame(R"({"event":"presence:subscribe","ack":null})");
    ASSERT_TRUE(frame);
    EXPECT_EQ(boost::json::serialize(frame->data), "{}");
    ASSERT_TRUE(frame->ack);  // echoed in the reply, even null
    EXPECT_TRUE(frame->ack->is_null());
    EXPECT_FALSE(read_client_frame(R"({"event":"x"})")->ack);
}

TEST(ClientFrame, RefusesAnythingButAnObjectWithAStringEvent) {
    for (const char* text : {"", "not json", "[]", "\"event\"", "{}", R"({"event":1})", R"({"event":"x")",
                             R"({"event":"x"} trailing)"}) {
        auto frame = read_client_frame(text);
        ASSERT_FALSE(frame) << text;
        EXPECT_EQ(frame.error().code, "invalid_frame") << text;
    }
}

}  // namespace
}  // namespace flow::wire
