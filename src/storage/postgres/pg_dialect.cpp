#include "storage/postgres/pg_dialect.hpp"

namespace flow::postgres {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return c == '_' || is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::string to_postgres_dialect(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int highest = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] != '?') {
            out += sql[i];
            continue;
        }
        int number = 0;
        std::size_t end = i + 1;
        while (end < sql.size() && is_digit(sql[end])) number = number * 10 + (sql[end++] - '0');
        if (end == i + 1) number = highest + 1;
        if (number > highest) highest = number;
        out += '$';
        out += std::to_string(number);
        i = end - 1;
    }
    return out;
}

std::string to_postgres_schema(std::string_view ddl) {
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {{"INTEGER", "BIGINT"},
                                                                              {"BLOB", "BYTEA"}};
    std::string out;
    out.reserve(ddl.size() + 64);
    for (std::size_t i = 0; i < ddl.size();) {
        bool replaced = false;
        if (i == 0 || !is_word(ddl[i - 1])) {
            for (const auto& [from, to] : kTypes) {
                const auto end = i + from.size();
                if (ddl.substr(i, from.size()) == from && (end == ddl.size() || !is_word(ddl[end]))) {
                    out += to;
                    i = end;
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += ddl[i++];
    }
    return out;
}

}  // namespace flow::postgres
