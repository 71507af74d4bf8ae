#include "storage/sqlite/sqlite_migrations.hpp"

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

namespace flow::sqlite {

namespace {

// Append only: a migration that has shipped is never edited, a new one is added.
const std::vector<const char*> kMigrations = {
    // 1: users, sign-in codes, sessions
    R"sql(
    CREATE TABLE users (
        id           TEXT PRIMARY KEY,
        phone        TEXT NOT NULL UNIQUE,
        name         TEXT NOT NULL DEFAULT '',
        about        TEXT NOT NULL DEFAULT '',
        image_id     TEXT,
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER
    );
    CREATE TABLE otp_challenges (
        id          TEXT PRIMARY KEY,
        phone       TEXT NOT NULL,
        address     TEXT NOT NULL,
        code_hash   BLOB NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        consumed_at INTEGER
    );
    CREATE INDEX otp_challenges_by_phone ON otp_challenges (phone, created_at);
    CREATE INDEX otp_challenges_by_address ON otp_challenges (address, created_at);
    CREATE INDEX otp_challenges_by_age ON otp_challenges (created_at);
    CREATE TABLE sessions (
        id         TEXT PRIMARY KEY,
        token_hash BLOB NOT NULL UNIQUE,
        user_id    TEXT NOT NULL REFERENCES users (id),
        device     TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions (user_id);
    )sql",
};

}  // namespace

void migrate(Database& db) {
    const auto version = db.with([](Database& d) {
        auto stmt = d.prepare("PRAGMA user_version");
        stmt.step();
        return static_cast<std::size_t>(stmt.integer(0));
    });
    if (version > kMigrations.size())
        throw Failure("the database schema (version " + std::to_string(version) +
                      ") is newer than this flowd knows");
    for (std::size_t v = version; v < kMigrations.size(); ++v) {
        db.transaction([&](Database& d) {
            d.exec(kMigrations[v]);
            d.exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
        });
        spdlog::info("sqlite: schema migrated to version {}", v + 1);
    }
}

}  // namespace flow::sqlite
