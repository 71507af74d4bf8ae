#pragma once

#include <string>
#include <string_view>

namespace flow::postgres {

// The SQL of the stores as PostgreSQL reads it: `?` parameters become `$1`, `$2`, ...
// (a bare `?` takes the number after the highest so far, as in SQLite, and `?N` is `$N`).
// The stores' SQL holds no `?` inside string literals.
std::string to_postgres_dialect(std::string_view sql);

// The schema's DDL as PostgreSQL reads it: SQLite's INTEGER (64-bit) becomes BIGINT and
// BLOB becomes BYTEA, as whole words.
std::string to_postgres_schema(std::string_view ddl);

}  // namespace flow::postgres
