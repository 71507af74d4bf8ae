#pragma once

#include <string>

#include "storage/sql/database.hpp"
#include "storage/sql/schema.hpp"

namespace flow::postgres {

// A migration's SQL as PostgreSQL runs it: its own, or SQLite's through to_postgres_schema.
std::string postgres_sql(const sql::Migration& migration);

// Brings a PostgreSQL schema up to the newest version of sql::schema_migrations(), as
// PostgreSQL reads it (postgres_sql). All in one transaction under
// an advisory lock, so that nodes starting at once against one database apply each
// migration exactly once; each applied version is a row of schema_migrations. Throws
// sql::Failure when a migration fails or the database is newer than this binary knows
// (start-up aborts).
void migrate(sql::Database& db);

}  // namespace flow::postgres
