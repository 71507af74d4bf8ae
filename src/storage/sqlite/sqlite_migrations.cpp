#include "storage/sqlite/sqlite_migrations.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "storage/sql/schema.hpp"

namespace flow::sqlite {

void migrate(sql::Database& db) {
    const auto& migrations = sql::schema_migrations();
    const auto version = db.with([](sql::Connection& d) {
        auto stmt = d.prepare("PRAGMA user_version");
        stmt.step();
        return static_cast<std::size_t>(stmt.integer(0));
    });
    if (version > migrations.size())
        throw sql::Failure("the database schema (version " + std::to_string(version) +
                      ") is newer than this flowd knows");
    for (std::size_t v = version; v < migrations.size(); ++v) {
        db.transaction([&](sql::Connection& d) {
            d.exec(migrations[v].sqlite);
            d.exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
        });
        spdlog::info("sqlite: schema migrated to version {}", v + 1);
    }
}

}  // namespace flow::sqlite
