#include "domain/search.hpp"

#include "common/utf8.hpp"

namespace flow {

Status validate_search_words(std::string_view words) {
    if (words.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos)
        return Error::invalid("invalid_query", "q is required: the words to search for, 1 to 200 characters");
    if (utf8_length(words) > kMaxSearchLength)
        return Error::invalid("too_long", "q is longer than 200 characters");
    return Ok{};
}

}  // namespace flow
