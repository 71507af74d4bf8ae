// The pure rules of a message's life (domain/message.hpp): what a reply shows of the
// message it answers, how reactions group, and disappearing messages' periods, notices
// and expiry.
#include <gtest/gtest.h>

#include "domain/chat.hpp"
#include "domain/message.hpp"

namespace flow {
namespace {

Message original(std::string text) {
    Message m;
    m.id = "m1";
    m.sender_id = "u1";
    m.type = MessageType::image;
    m.text = std::move(text);
    return m;
}

std::string repeat(const std::string& piece, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += piece;
    return out;
}

TEST(ReplyPreview, KeepsTheFirstHundredCharactersWhole) {
    EXPECT_EQ(reply_preview_of(original("short")).text, "short");
    EXPECT_EQ(reply_preview_of(original(std::string(150, 'x'))).text, std::string(100, 'x'));
    // Characters, not bytes: two-byte and four-byte ones are never cut in half.
    EXPECT_EQ(reply_preview_of(original(repeat("\u00E9", 150))).text, repeat("\u00E9", 100));
    EXPECT_EQ(reply_preview_of(original("a" + repeat("\U0001F600", 120))).text, "a" + repeat("\U0001F600", 99));
    EXPECT_EQ(reply_preview_of(original("")).text, "");
}

TEST(ReplyPreview, NamesTheOriginalAndLosesItsTextOnceDeleted) {
    auto m = original("gone soon");
    const auto shown = reply_preview_of(m);
    EXPECT_EQ(shown.id, "m1");
    EXPECT_EQ(shown.sender_id, "u1");
    EXPECT_EQ(shown.type, MessageType::image);
    m.deleted = true;
    m.text.clear();
    EXPECT_EQ(reply_preview_of(m).text, std::nullopt);
}

TEST(Reactions, GroupByEmojiInTheOrderEachWasFirstUsed) {
    std::vector<Reaction> reactions;
    add_reaction(reactions, "\U0001F44D", "a");
    add_reaction(reactions, "\u2764\uFE0F", "b");
    add_reaction(reactions, "\U0001F44D", "c");
    ASSERT_EQ(reactions.size(), 2u);
    EXPECT_EQ(reactions[0].emoji, "\U0001F44D");
    EXPECT_EQ(reactions[0].user_ids, (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(reactions[1].emoji, "\u2764\uFE0F");
    EXPECT_EQ(reactions[1].user_ids, (std::vector<std::string>{"b"}));
}

TEST(Disappearing, OnlyOffADayAWeekAndNinetyDaysAreValidPeriods) {
    for (const std::int64_t seconds : {0LL, 86400LL, 604800LL, 7776000LL})
        EXPECT_TRUE(validate_disappearing_seconds(seconds)) << seconds;
    for (const std::int64_t seconds : {-86400LL, 1LL, 3600LL, 86401LL, 31536000LL}) {
        const auto refused = validate_disappearing_seconds(seconds);
        ASSERT_FALSE(refused) << seconds;
        EXPECT_EQ(refused.error().code, "invalid_period");
    }
}

TEST(Disappearing, AnyMemberOfADirectChatButOnlyAGroupsAdmins) {
    Chat direct;
    direct.participants = {{"u1", Role::member}, {"u2", Role::member}};
    EXPECT_TRUE(check_can_set_disappearing(direct, "u2"));
    Chat group;
    group.type = ChatType::group;
    group.participants = {{"u1", Role::admin}, {"u2", Role::member}};
    EXPECT_TRUE(check_can_set_disappearing(group, "u1"));
    const auto refused = check_can_set_disappearing(group, "u2");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "not_admin");
}

TEST(Disappearing, TheNoticeSaysWhatChanged) {
    EXPECT_EQ(disappearing_notice(86400), "turned on disappearing messages: 1 day");
    EXPECT_EQ(disappearing_notice(604800), "turned on disappearing messages: 7 days");
    EXPECT_EQ(disappearing_notice(7776000), "turned on disappearing messages: 90 days");
    EXPECT_EQ(disappearing_notice(0), "turned off disappearing messages");
}

TEST(Disappearing, AMessageHasExpiredFromItsTimeOn) {
    Message m;
    EXPECT_FALSE(is_expired(m, 1'000'000)) << "no expires_at: never";
    m.expires_at = 1000;
    EXPECT_FALSE(is_expired(m, 999));
    EXPECT_TRUE(is_expired(m, 1000));
}

TEST(Disappearing, ClientsCannotSendEditOrForwardSystemMessages) {
    NewMessage forged;
    forged.client_id = "c1";
    forged.type = MessageType::system;
    forged.text = "turned off disappearing messages";
    EXPECT_FALSE(validate_new_message(forged));
    Message notice;
    notice.sender_id = "u1";
    notice.type = MessageType::system;
    notice.text = "turned on disappearing messages: 1 day";
    EXPECT_EQ(check_can_edit(notice, "u1", "x", 0, 1000).error().code, "not_editable");
    EXPECT_EQ(check_can_forward(notice).error().code, "not_forwardable");
}

}  // namespace
}  // namespace flow
