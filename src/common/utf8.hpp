#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace flow {

// The number of Unicode code points in valid UTF-8 text: what a user counts as the
// length of a name. (Input JSON is validated as UTF-8 by the parser.)
std::size_t utf8_length(std::string_view text);

// Whether `text` is text Flow takes in: well-formed UTF-8 (no overlong forms, no
// surrogates, nothing past U+10FFFF) without NUL, which PostgreSQL cannot store in a text
// column. Every string from outside (JSON strings and keys, decoded path and query
// parameters) is checked against this at its transport's edge, so both SQL engines see
// the same strings.
bool is_valid_text(std::string_view text);

// Incremental UTF-8 validation (Unicode 15, table 3-7: no overlong forms, no surrogates,
// nothing past U+10FFFF; NUL is valid), for text messages that arrive in pieces: a code
// point may be split across fragments and across reads. One byte of state, so that an
// idle connection carries nothing more. Not thread-safe; a plain value.
class Utf8Validator {
public:
    // Takes the next bytes; false once the text so far cannot be the start of valid UTF-8
    // (and from then on).
    bool feed(std::span<const std::byte> bytes);

    // Whether the text so far is complete, valid UTF-8 (no code point left unfinished).
    bool complete() const { return state_ == State::accept; }
    bool failed() const { return state_ == State::reject; }
    void reset() { state_ = State::accept; }

private:
    // What the next byte must be: accept is between code points; the others expect a
    // continuation byte, whose range the lead byte may narrow (e0: a0-bf, ed: 80-9f,
    // f0: 90-bf, f4: 80-8f).
    enum class State : std::uint8_t { accept, need1, need2, need3, e0, ed, f0, f4, reject };
    static State step(State state, unsigned char byte);

    State state_ = State::accept;
};

// Whether `bytes` are complete, valid UTF-8 on their own.
bool is_valid_utf8(std::span<const std::byte> bytes);

}  // namespace flow
