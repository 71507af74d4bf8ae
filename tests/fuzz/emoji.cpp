// A reaction's emoji, as clients send it (common/emoji.hpp): anything may come. What is
// taken is valid UTF-8 of at most kMaxEmojiBytes, and the answer does not change when
// asked again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/emoji.hpp"
#include "common/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool emoji = flow::is_single_emoji(text);
    if (emoji != flow::is_single_emoji(text)) std::abort();
    if (emoji && (text.size() > flow::kMaxEmojiBytes || !flow::is_valid_text(text))) std::abort();
    return 0;
}
