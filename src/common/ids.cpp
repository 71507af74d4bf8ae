#include "common/ids.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace flow {

std::string new_id(TimeMs now) {
    static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford
    std::array<std::uint8_t, 16> bytes{};
    auto ms = static_cast<std::uint64_t>(now);
    for (int i = 5; i >= 0; --i, ms >>= 8) bytes[i] = static_cast<std::uint8_t>(ms & 0xff);
    randombytes_buf(bytes.data() + 6, 10);

    // 128 bits as 26 five-bit digits, most significant first (the first digit holds 3 bits).
    std::string id(26, '0');
    unsigned __int128 value = 0;
    for (auto b : bytes) value = (value << 8) | b;
    for (int i = 25; i >= 0; --i, value >>= 5) id[i] = kAlphabet[static_cast<int>(value & 31)];
    return id;
}

}  // namespace flow
