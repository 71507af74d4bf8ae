#include "storage/sqlite/sqlite_storage.hpp"

#include "storage/sqlite/sqlite_migrations.hpp"

namespace flow::sqlite {

SqliteStorage::SqliteStorage(const std::string& path) : db_(path), users_(db_), sign_in_(db_), chats_(db_), media_(db_), stories_(db_), calls_(db_) {
    migrate(db_);
}

bool SqliteStorage::ping() {
    try {
        return db_.with([](Database& db) {
            auto stmt = db.prepare("SELECT 1");
            return stmt.step() && stmt.integer(0) == 1;
        });
    } catch (const Failure&) {
        return false;
    }
}

}  // namespace flow::sqlite
