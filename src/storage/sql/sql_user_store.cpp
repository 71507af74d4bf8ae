#include "storage/sql/sql_user_store.hpp"

#include <string>

namespace flow::sql {

User read_user(const Statement& row) {
    return User{row.text(0),          row.text(1),    row.text(2),
                row.text(3),          row.optional_text(4), row.integer(5),
                row.optional_integer(6)};
}

#define USER_SELECT "SELECT id, phone, name, about, image_id, created_at, last_seen_at FROM users WHERE id = ?"

// The user; `for_update` locks the row until the transaction ends.
std::optional<User> find_user(Connection& db, const std::string& user_id, bool for_update) {
    auto stmt = db.prepare(for_update ? USER_SELECT " FOR UPDATE" : USER_SELECT);
    stmt.bind(1, user_id);
    if (!stmt.step()) return std::nullopt;
    return read_user(stmt);
}

std::optional<User> SqlUserStore::find(const std::string& user_id) {
    return db_.with([&](Connection& db) { return find_user(db, user_id); });
}

std::vector<User> SqlUserStore::find_by_phones(const std::vector<std::string>& phones) {
    return db_.with([&](Connection& db) {
        std::vector<User> users;
        auto stmt = db.prepare("SELECT id, phone, name, about, image_id, created_at, last_seen_at "
                               "FROM users WHERE phone = ?");
        for (const auto& phone : phones) {
            stmt.bind(1, phone);
            if (stmt.step()) users.push_back(read_user(stmt));
            stmt.reset();
        }
        return users;
    });
}

std::optional<User> SqlUserStore::update_profile(const std::string& user_id,
                                                    const ProfileChange& change) {
    return db_.transaction([&](Connection& db) -> std::optional<User> {
        auto user = find_user(db, user_id, true);
        if (!user) return std::nullopt;
        apply_profile_change(*user, change);
        db.prepare("UPDATE users SET name = ?, about = ?, image_id = ? WHERE id = ?")
            .bind(1, user->name)
            .bind(2, user->about)
            .bind(3, user->image_id)
            .bind(4, user_id)
            .run();
        return user;
    });
}

void SqlUserStore::touch_last_seen(const std::string& user_id, TimeMs at) {
    db_.with([&](Connection& db) {
        db.prepare("UPDATE users SET last_seen_at = ? WHERE id = ?").bind(1, at).bind(2, user_id).run();
    });
}

void SqlUserStore::erase(const std::string& user_id) {
    db_.with([&](Connection& db) {
        db.prepare("UPDATE users SET phone = ?, name = '', about = '', image_id = NULL WHERE id = ?")
            .bind(1, deleted_phone(user_id))
            .bind(2, user_id)
            .run();
    });
}

}  // namespace flow::sql
