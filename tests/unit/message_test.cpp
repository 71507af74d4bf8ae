// The pure rules of a message's life (domain/message.hpp): what a reply shows of the
// message it answers, and how reactions group.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace flow
