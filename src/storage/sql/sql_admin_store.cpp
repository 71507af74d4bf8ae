#include "storage/sql/sql_admin_store.hpp"

#include "storage/sql/sql_user_store.hpp"

namespace flow::sql {

namespace {

// A user (read_user's columns), their ban and their devices, by id or by phone.
#define USER_RECORD                                                                                   \
    "SELECT u.id, u.phone, u.name, u.about, u.image_id, u.created_at, u.last_seen_at, u.banned_at, " \
    "(SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id) FROM users u WHERE "

std::optional<UserRecord> find_record(Database& database, const char* sql, const std::string& key) {
    return database.with([&](Connection& db) -> std::optional<UserRecord> {
        auto stmt = db.prepare(sql);
        stmt.bind(1, key);
        if (!stmt.step()) return std::nullopt;
        return UserRecord{read_user(stmt), stmt.optional_integer(7), stmt.integer(8)};
    });
}

}  // namespace

std::optional<UserRecord> SqlAdminStore::find_user(const std::string& user_id) {
    return find_record(db_, USER_RECORD "u.id = ?", user_id);
}

std::optional<UserRecord> SqlAdminStore::find_by_phone(const std::string& phone) {
    return find_record(db_, USER_RECORD "u.phone = ?", phone);
}

std::optional<std::vector<std::string>> SqlAdminStore::ban(const std::string& user_id, TimeMs now) {
    return db_.transaction([&](Connection& db) -> std::optional<std::vector<std::string>> {
        // Locks the user's row first, as a sign-in does (SqlSignInStore::complete_sign_in).
        auto mark = db.prepare("UPDATE users SET banned_at = COALESCE(banned_at, ?) WHERE id = ?");
        mark.bind(1, now).bind(2, user_id).run();
        if (mark.changes() != 1) return std::nullopt;
        std::vector<std::string> ended;
        auto end = db.prepare("DELETE FROM sessions WHERE user_id = ? RETURNING id");
        end.bind(1, user_id);
        while (end.step()) ended.push_back(end.text(0));
        return ended;
    });
}

bool SqlAdminStore::unban(const std::string& user_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("UPDATE users SET banned_at = NULL WHERE id = ?");
        stmt.bind(1, user_id).run();
        return stmt.changes() == 1;
    });
}

StoreCounts SqlAdminStore::counts() {
    // Each an index or a small table's scan; messages are the chats' seqs summed rather
    // than counted.
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare(
            "SELECT (SELECT COUNT(*) FROM users WHERE phone NOT LIKE '~%'), "
            "(SELECT COUNT(*) FROM users WHERE banned_at IS NOT NULL), "
            "(SELECT COUNT(*) FROM users WHERE phone LIKE '~%'), "
            "(SELECT COUNT(*) FROM sessions), "
            "(SELECT COUNT(*) FROM chats), "
            "(SELECT CAST(COALESCE(SUM(last_seq), 0) AS BIGINT) FROM chats), "
            "(SELECT COUNT(*) FROM media), "
            "(SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM media), "
            "(SELECT COUNT(*) FROM reports), "
            "(SELECT COUNT(*) FROM reports WHERE resolved_at IS NULL)");
        stmt.step();
        return StoreCounts{stmt.integer(0), stmt.integer(1), stmt.integer(2), stmt.integer(3), stmt.integer(4),
                           stmt.integer(5), stmt.integer(6), stmt.integer(7), stmt.integer(8), stmt.integer(9)};
    });
}

}  // namespace flow::sql
