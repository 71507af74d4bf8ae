#pragma once

#include <cstddef>
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

}  // namespace flow
