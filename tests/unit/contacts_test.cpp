// Contacts and message requests (domain/chat.hpp): who took part in a direct chat, and
// what that lets the two see of each other.
#include "domain/chat.hpp"
#include "domain/user.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

using Ids = std::vector<std::string>;

TEST(MessageRequest, ADirectChatIsARequestForTheRecipientOnly) {
    const auto chat = new_direct_chat("c1", "ann", "bob", 1000);
    EXPECT_FALSE(is_request_for(chat, "ann"));
    EXPECT_TRUE(is_request_for(chat, "bob"));
    EXPECT_FALSE(is_request_for(chat, "cy")) << "not a member";
    EXPECT_FALSE(makes_contacts(chat));
}

TEST(MessageRequest, TakingPartEndsItOnceAndMakesContacts) {
    auto chat = new_direct_chat("c1", "ann", "bob", 1000);
    EXPECT_FALSE(take_part(chat, "ann")) << "the opener took part by opening it";
    EXPECT_FALSE(makes_contacts(chat));
    EXPECT_TRUE(take_part(chat, "bob"));
    EXPECT_FALSE(is_request_for(chat, "bob"));
    EXPECT_TRUE(makes_contacts(chat));
    EXPECT_FALSE(take_part(chat, "bob")) << "idempotent";
    EXPECT_FALSE(take_part(chat, "cy"));
}

TEST(MessageRequest, AGroupIsNeverARequestAndMakesNoContacts) {
    Chat group{"g1", ChatType::group, "Club", std::nullopt, 0, 0, 0,
               {{"ann", Role::admin, 1, 0, true}, {"bob", Role::member, 1, 0, false}}};
    EXPECT_FALSE(is_request_for(group, "bob"));
    EXPECT_FALSE(take_part(group, "bob"));
    group.participants[1].took_part = true;
    EXPECT_FALSE(makes_contacts(group));
    EXPECT_EQ(activity_audience(group, "bob"), Ids{"ann"});
}

TEST(MessageRequest, TheRecipientsTypingAndReadsReachNobodyUntilTheyTakePart) {
    auto chat = new_direct_chat("c1", "ann", "bob", 1000);
    EXPECT_EQ(activity_audience(chat, "bob"), Ids{});
    EXPECT_EQ(activity_audience(chat, "ann"), Ids{"bob"});
    take_part(chat, "bob");
    EXPECT_EQ(activity_audience(chat, "bob"), Ids{"ann"});
}

}  // namespace
}  // namespace flow
