#include "net/websocket/mask.hpp"

#include <cstdint>
#include <cstring>

namespace flow::net::websocket {

void unmask(std::span<std::byte> bytes, MaskKey& key) {
    // The key twice over: its first four bytes as one word in memory order, whatever
    // the machine's endianness, and the source of the rotated key.
    std::byte doubled[8];
    std::memcpy(doubled, key.data(), 4);
    std::memcpy(doubled + 4, key.data(), 4);
    std::uint64_t word_key;
    std::memcpy(&word_key, doubled, sizeof word_key);

    std::byte* p = bytes.data();
    std::size_t n = bytes.size();
    for (; n >= 8; p += 8, n -= 8) {  // eight bytes is a whole number of keys
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        word ^= word_key;
        std::memcpy(p, &word, sizeof word);
    }
    for (std::size_t i = 0; i < n; ++i) p[i] ^= doubled[i];  // i < 8: no wrap needed
    std::memcpy(key.data(), doubled + (bytes.size() % 4), 4);
}

}  // namespace flow::net::websocket
