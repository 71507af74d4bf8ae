#pragma once

#include <string>
#include <string_view>

namespace flow::sql {

// The FTS5 MATCH expression that finds the rows holding every whitespace-separated word of
// `words`: each becomes a quoted string, so FTS5's operators and syntax characters in it
// are plain text, and the table's tokenizer splits it as it splits the rows (`e-mail` is
// the phrase `e mail`; a word all of punctuation asks for nothing). "" when there are no
// words. Pure.
std::string fts5_all_words(std::string_view words);

}  // namespace flow::sql
