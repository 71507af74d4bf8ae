// What a reaction may be: exactly one emoji (common/emoji.hpp), by Unicode's rules as ICU
// knows them.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "common/emoji.hpp"

namespace flow {
namespace {

TEST(Emoji, OneEmojiOfEveryShapeIsOne) {
    for (const char* emoji : {
             "\U0001F600",                                  // 😀
             "\U0001F44D\U0001F3FD",                        // 👍🏽 a skin tone
             "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",  // 👨‍👩‍👧‍👦 a ZWJ family
             "\U0001F3F3\uFE0F\u200D\U0001F308",            // 🏳️‍🌈 a ZWJ flag
             "\U0001F469\U0001F3FD\u200D\u2764\uFE0F\u200D\U0001F48B\u200D\U0001F468\U0001F3FF",  // a kiss, two tones
             "\U0001F1EB\U0001F1F7",                        // 🇫🇷 a flag
             "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",  // England, a tag sequence
             "1\uFE0F\u20E3",                               // 1️⃣ a keycap
             "#\uFE0F\u20E3",                               // #️⃣
             "\u2764\uFE0F",                                // ❤️
             "\u2764",                                      // ❤ in its text form
             "\U0001F3FB",                                  // a skin tone swatch on its own
         })
        EXPECT_TRUE(is_single_emoji(emoji)) << emoji;
}

TEST(Emoji, AnythingElseIsNot) {
    for (const auto& text : std::initializer_list<std::string>{
             std::string(),
             std::string("a"),
             std::string("ab"),
             std::string("1"),                                   // a digit has the Emoji property, but is no emoji
             std::string("#"),
             std::string("\U0001F600\U0001F600"),                // two emoji
             std::string("\U0001F1EB\U0001F1F7\U0001F1E9\U0001F1EA"),  // two flags
             std::string("\U0001F1EB"),                          // half a flag
             std::string("\U0001F44D "),                         // with a space
             std::string(" \U0001F44D"),
             std::string("a\u0301"),                             // one grapheme, no emoji
             std::string("\u00E9"),
             std::string("1\u20E3"),                             // a keycap without U+FE0F is not RGI
             std::string("\U0001F44D\0", 5),                     // NUL after it
             std::string("\xF0\x9F\x91"),                        // cut short: not UTF-8
             std::string("\xFF"),
             std::string("\xED\xA0\xBD\xED\xB8\x80"),            // a surrogate pair in CESU-8
             std::string(70, 'a'),
             std::string(17, '\xF0'),
         })
        EXPECT_FALSE(is_single_emoji(text)) << text;
    // Longer than any emoji: refused before ICU sees it, even when it is one cluster.
    std::string long_cluster = "\U0001F600";
    while (long_cluster.size() <= kMaxEmojiBytes) long_cluster += "\u200D\U0001F600";
    EXPECT_FALSE(is_single_emoji(long_cluster));
}

}  // namespace
}  // namespace flow
