#include "storage/sql/sql_block_store.hpp"

namespace flow::sql {

bool SqlBlockStore::block(const std::string& blocker_id, const std::string& blocked_id, const FrozenProfile& seen,
                          TimeMs now) {
    return db_.with([&](Connection& db) {
        auto insert = db.prepare(
            "INSERT INTO blocks (blocker_id, blocked_id, created_at, seen_image_id, seen_about, seen_last_seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (blocker_id, blocked_id) DO NOTHING");
        insert.bind(1, blocker_id)
            .bind(2, blocked_id)
            .bind(3, now)
            .bind(4, seen.image_id)
            .bind(5, seen.about)
            .bind(6, seen.last_seen_at)
            .run();
        return insert.changes() > 0;
    });
}

bool SqlBlockStore::unblock(const std::string& blocker_id, const std::string& blocked_id) {
    return db_.with([&](Connection& db) {
        auto remove = db.prepare("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?");
        remove.bind(1, blocker_id).bind(2, blocked_id).run();
        return remove.changes() > 0;
    });
}

std::vector<std::string> SqlBlockStore::blocked_by(const std::string& blocker_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY created_at DESC, blocked_id");
        stmt.bind(1, blocker_id);
        std::vector<std::string> ids;
        while (stmt.step()) ids.push_back(stmt.text(0));
        return ids;
    });
}

std::unordered_map<std::string, FrozenProfile> SqlBlockStore::blockers_of(const std::string& viewer_id,
                                                                          const std::vector<std::string>& user_ids) {
    return db_.with([&](Connection& db) {
        std::unordered_map<std::string, FrozenProfile> found;
        auto stmt = db.prepare("SELECT seen_image_id, seen_about, seen_last_seen_at FROM blocks "
                               "WHERE blocker_id = ? AND blocked_id = ?");
        for (const auto& id : user_ids) {
            stmt.bind(1, id).bind(2, viewer_id);
            if (stmt.step()) found.emplace(id, FrozenProfile{stmt.optional_text(0), stmt.text(1), stmt.optional_integer(2)});
            stmt.reset();
        }
        return found;
    });
}

}  // namespace flow::sql
