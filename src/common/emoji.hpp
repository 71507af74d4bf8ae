#pragma once

#include <cstddef>
#include <string_view>

namespace flow {

// The most UTF-8 bytes one emoji takes: the longest RGI sequences (a kiss with two skin
// tones, a subdivision flag) take 35; anything longer is no emoji, and is refused before
// ICU looks at it.
inline constexpr std::size_t kMaxEmojiBytes = 64;

// Whether `text` (UTF-8 from outside; anything else is simply false) is exactly one
// emoji: one extended grapheme cluster (Unicode's break rules, from ICU) that is an RGI
// emoji (Unicode's recommended set: single emoji, keycaps, flags, skin tones, ZWJ
// sequences, ICU's RGI_Emoji property of strings) or a single non-ASCII emoji code point
// in its text form ("❤" without U+FE0F, as keyboards often send it). A plain digit, "#",
// a lone regional indicator, two emoji or letters are not. Pure; thread-safe.
bool is_single_emoji(std::string_view text);

}  // namespace flow
