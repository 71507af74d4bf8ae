#include "storage/postgres/pg_migrations.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "storage/postgres/pg_dialect.hpp"
#include "storage/sql/schema.hpp"

namespace flow::postgres {

namespace {

// The key of the advisory lock that makes nodes migrate one at a time: "flowmigr" in ASCII.
constexpr const char* kLock =
    "SELECT pg_advisory_xact_lock(7380396448080815986)";  // 0x666c6f776d696772

}  // namespace

std::string postgres_sql(const sql::Migration& migration) {
    return migration.postgres ? migration.postgres : to_postgres_schema(migration.sqlite);
}

void migrate(sql::Database& db) {
    const auto& migrations = sql::schema_migrations();
    const auto applied = db.transaction([&](sql::Connection& c) {
        // The lock comes first: CREATE TABLE IF NOT EXISTS itself races between nodes.
        c.exec(kLock);
        c.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
        const auto version = [&] {
            auto stmt = c.prepare("SELECT MAX(version) FROM schema_migrations");
            stmt.step();
            return static_cast<std::size_t>(stmt.optional_integer(0).value_or(0));
        }();
        if (version > migrations.size())
            throw sql::Failure("postgresql: the database schema (version " +
                               std::to_string(version) + ") is newer than this flowd knows");
        std::vector<std::size_t> done;
        for (std::size_t v = version; v < migrations.size(); ++v) {
            c.exec(postgres_sql(migrations[v]).c_str());
            c.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(1, static_cast<std::int64_t>(v + 1))
                .bind(2, SystemClock().now_ms())
                .run();
            done.push_back(v + 1);
        }
        return done;
    });
    // Logged once committed: until then, a later failure would undo them all.
    for (auto v : applied) spdlog::info("postgresql: schema migrated to version {}", v);
}

}  // namespace flow::postgres
