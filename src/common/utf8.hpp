#pragma once

#include <cstddef>
#include <string_view>

namespace flow {

// The number of Unicode code points in valid UTF-8 text: what a user counts as the
// length of a name. (Input JSON is validated as UTF-8 by the parser.)
std::size_t utf8_length(std::string_view text);

}  // namespace flow
