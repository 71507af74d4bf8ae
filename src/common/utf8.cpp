#include "common/utf8.hpp"

namespace flow {

std::size_t utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (unsigned char c : text) {
        if ((c & 0xC0) != 0x80) ++count;  // continuation bytes do not start a code point
    }
    return count;
}

}  // namespace flow
