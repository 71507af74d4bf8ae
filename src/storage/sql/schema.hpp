#pragma once

#include <vector>

namespace flow::sql {

// One version of the schema: its SQL in SQLite's words, which PostgreSQL reads through its
// dialect, or, where the two engines differ beyond that (full-text search), PostgreSQL's
// own SQL beside it. A plain string is the same SQL for both.
struct Migration {
    Migration(const char* both) : sqlite(both) {}  // NOLINT: implicit, so the list reads as SQL
    Migration(const char* sqlite_sql, const char* postgres_sql) : sqlite(sqlite_sql), postgres(postgres_sql) {}

    const char* sqlite;
    const char* postgres = nullptr;  // null: PostgreSQL reads `sqlite` through its dialect
};

// Flow's schema as a list of migrations, version n + 1 being the n-th: append only, a
// migration that has shipped is never edited, a new one is added. Written in SQLite's
// words (INTEGER is 64-bit, BLOB is bytes); PostgreSQL reads them through its dialect.
// Each engine records which versions it applied in its own way.
const std::vector<Migration>& schema_migrations();

}  // namespace flow::sql
