#include "storage/sql/fts5_query.hpp"

namespace flow::sql {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string fts5_all_words(std::string_view words) {
    std::string expression;
    std::size_t i = 0;
    while (i < words.size()) {
        if (is_space(words[i])) {
            ++i;
            continue;
        }
        if (!expression.empty()) expression += ' ';  // strings side by side: all of them
        expression += '"';
        for (; i < words.size() && !is_space(words[i]); ++i) {
            if (words[i] == '"') expression += '"';  // a quote inside a string is doubled
            expression += words[i];
        }
        expression += '"';
    }
    return expression;
}

}  // namespace flow::sql
