#include "common/utf8.hpp"

#include <cstring>

namespace flow {

std::size_t utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (unsigned char c : text) {
        if ((c & 0xC0) != 0x80) ++count;  // continuation bytes do not start a code point
    }
    return count;
}

Utf8Validator::State Utf8Validator::step(State state, unsigned char byte) {
    auto in = [byte](unsigned char low, unsigned char high) { return byte >= low && byte <= high; };
    switch (state) {
        case State::accept:
            if (byte < 0x80) return State::accept;
            if (in(0xC2, 0xDF)) return State::need1;
            if (byte == 0xE0) return State::e0;
            if (byte == 0xED) return State::ed;
            if (in(0xE1, 0xEF)) return State::need2;
            if (byte == 0xF0) return State::f0;
            if (byte == 0xF4) return State::f4;
            if (in(0xF1, 0xF3)) return State::need3;
            return State::reject;
        case State::need1:
            return in(0x80, 0xBF) ? State::accept : State::reject;
        case State::need2:
            return in(0x80, 0xBF) ? State::need1 : State::reject;
        case State::need3:
            return in(0x80, 0xBF) ? State::need2 : State::reject;
        case State::e0:
            return in(0xA0, 0xBF) ? State::need1 : State::reject;
        case State::ed:
            return in(0x80, 0x9F) ? State::need1 : State::reject;
        case State::f0:
            return in(0x90, 0xBF) ? State::need2 : State::reject;
        case State::f4:
            return in(0x80, 0x8F) ? State::need2 : State::reject;
        case State::reject:
            break;
    }
    return State::reject;
}

bool Utf8Validator::feed(std::span<const std::byte> bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    State state = state_;
    while (p < end && state != State::reject) {
        // Most text is ASCII: skip it eight bytes at a time between code points.
        if (state == State::accept) {
            while (end - p >= 8) {
                std::uint64_t word;
                std::memcpy(&word, p, sizeof word);
                if (word & 0x8080808080808080ull) break;
                p += 8;
            }
            if (p == end) break;
        }
        state = step(state, *p++);
    }
    state_ = state;
    return state != State::reject;
}

bool is_valid_utf8(std::span<const std::byte> bytes) {
    Utf8Validator validator;
    return validator.feed(bytes) && validator.complete();
}

bool is_valid_text(std::string_view text) {
    return text.find('\0') == std::string_view::npos && is_valid_utf8(std::as_bytes(std::span(text)));
}

}  // namespace flow
