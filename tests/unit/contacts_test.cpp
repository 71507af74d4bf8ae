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

// Blocking (domain/chat.hpp): ann blocks bob in their direct chat.
Chat blocked_chat() {
    auto chat = new_direct_chat("c1", "ann", "bob", 1000);
    take_part(chat, "bob");
    chat.participants[0].blocks_other = true;
    return chat;
}

TEST(Blocking, NothingPassesBetweenTheTwoInADirectChatButTheBlockerIsTheOneWhoCannotSend) {
    const auto chat = blocked_chat();
    EXPECT_TRUE(blocked_between(chat, "ann", "bob"));
    EXPECT_TRUE(blocked_between(chat, "bob", "ann"));
    EXPECT_FALSE(blocked_between(chat, "bob", "bob")) << "oneself: the sender's own devices hear";
    EXPECT_EQ(reachable_from(chat, "bob", chat.member_ids()), Ids{"bob"});
    EXPECT_EQ(reachable_from(chat, "ann", chat.member_ids()), Ids{"ann"});
    EXPECT_EQ(activity_audience(chat, "ann"), Ids{});
    EXPECT_EQ(activity_audience(chat, "bob"), Ids{});
    EXPECT_EQ(blocker_of(chat, "bob"), std::optional<std::string>("ann")) << "bob's messages are hidden from ann";
    EXPECT_EQ(blocker_of(chat, "ann"), std::nullopt);
    EXPECT_TRUE(check_not_blocking(chat, "bob"));
    const auto refused = check_not_blocking(chat, "ann");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "blocked");
    EXPECT_FALSE(makes_contacts(chat)) << "a block ends being contacts";
}

TEST(Blocking, ARequestFromTheBlockedIsLeftOutOfTheBlockersList) {
    auto chat = new_direct_chat("c1", "bob", "ann", 1000);
    EXPECT_FALSE(is_request_from_blocked(chat, "ann"));
    chat.participants[1].blocks_other = true;
    EXPECT_TRUE(is_request_from_blocked(chat, "ann"));
    EXPECT_FALSE(is_request_from_blocked(chat, "bob"));
    take_part(chat, "ann");
    EXPECT_FALSE(is_request_from_blocked(chat, "ann")) << "a chat ann took part in stays listed";
}

TEST(Blocking, GroupsFlowWhateverTheirMembersBlock) {
    Chat group{"g1", ChatType::group, "Club", std::nullopt, 0, 0, 0,
               {{"ann", Role::admin, 1, 0, true}, {"bob", Role::member, 1, 0, true}}};
    group.participants[0].blocks_other = true;  // never set for groups; if it were, it would not count
    EXPECT_FALSE(blocked_between(group, "ann", "bob"));
    EXPECT_EQ(reachable_from(group, "bob", group.member_ids()), (Ids{"ann", "bob"}));
    EXPECT_EQ(blocker_of(group, "bob"), std::nullopt);
    EXPECT_TRUE(check_not_blocking(group, "ann"));
}

}  // namespace
}  // namespace flow
