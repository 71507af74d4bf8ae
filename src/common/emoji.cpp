#include "common/emoji.hpp"

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <memory>

namespace flow {

namespace {

struct BreakIteratorClose {
    void operator()(UBreakIterator* it) const { ubrk_close(it); }
};

// Whether the UTF-16 text is one extended grapheme cluster.
bool one_grapheme(const UChar* text, int32_t length) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<UBreakIterator, BreakIteratorClose> it(ubrk_open(UBRK_CHARACTER, "", text, length, &status));
    if (U_FAILURE(status)) return false;
    ubrk_first(it.get());
    return ubrk_next(it.get()) == length;
}

}  // namespace

bool is_single_emoji(std::string_view text) {
    if (text.empty() || text.size() > kMaxEmojiBytes) return false;
    UChar utf16[kMaxEmojiBytes];  // never more UTF-16 units than UTF-8 bytes
    int32_t length = 0;
    UErrorCode status = U_ZERO_ERROR;
    u_strFromUTF8(utf16, static_cast<int32_t>(std::size(utf16)), &length, text.data(),
                  static_cast<int32_t>(text.size()), &status);
    if (U_FAILURE(status) || length == 0) return false;  // not UTF-8
    if (!one_grapheme(utf16, length)) return false;
    if (u_stringHasBinaryProperty(utf16, length, UCHAR_RGI_EMOJI)) return true;
    // One code point with the Emoji property, shown as text unless followed by U+FE0F:
    // ASCII has digits, '#' and '*' among those, which are no emoji on their own, and a
    // lone regional indicator is half a flag.
    UChar32 c = 0;
    int32_t i = 0;
    U16_NEXT(utf16, i, length, c);
    return i == length && c > 0x7F && u_hasBinaryProperty(c, UCHAR_EMOJI) &&
           !u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR);
}

}  // namespace flow
