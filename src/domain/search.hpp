#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.hpp"

namespace flow {

// A search of messages looks for every word of its text (split at spaces), each as a
// whole word with case and accents aside: `cafe` finds "Café", `cat` does not find
// "category".
inline constexpr std::size_t kMaxSearchLength = 200;

// The rule of a search's text: 1 to 200 characters, not all spaces.
Status validate_search_words(std::string_view words);

}  // namespace flow
