#pragma once

#include "storage/sqlite/sqlite_database.hpp"

namespace flow::sqlite {

// Brings the schema up to the newest version, one migration per transaction, recording
// the version in `PRAGMA user_version`. Throws when a migration fails (start-up aborts).
void migrate(sql::Database& db);

}  // namespace flow::sqlite
