#pragma once

#include <vector>

namespace flow::sql {

// Flow's schema as a list of migrations, version n + 1 being the n-th: append only, a
// migration that has shipped is never edited, a new one is added. Written in SQLite's
// words (INTEGER is 64-bit, BLOB is bytes); PostgreSQL reads them through its dialect.
// Each engine records which versions it applied in its own way.
const std::vector<const char*>& schema_migrations();

}  // namespace flow::sql
