#include "storage/sql/sql_media_catalog.hpp"

#include "storage/sql/sql_chat_store.hpp"

namespace flow::sql {

namespace {

// Holds for a media row `md` that nothing uses: no message, profile, chat or story, nor
// the copy of a reported message (kept for review after the message lost it).
constexpr const char* kUnused =
    " NOT EXISTS (SELECT 1 FROM messages m WHERE m.media_id = md.id)"
    " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.image_id = md.id)"
    " AND NOT EXISTS (SELECT 1 FROM chats c WHERE c.image_id = md.id)"
    " AND NOT EXISTS (SELECT 1 FROM stories s WHERE s.media_id = md.id)"
    " AND NOT EXISTS (SELECT 1 FROM report_messages r WHERE r.media_id = md.id)";

std::optional<int> optional_int(const Statement& row, int column) {
    auto value = row.optional_integer(column);
    return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

}  // namespace

Media read_media(const Statement& row, int first) {
    return Media{row.text(first),
                 row.text(first + 1),
                 media_kind_from(row.text(first + 2)).value_or(MediaKind::file),
                 row.text(first + 3),
                 static_cast<std::uint64_t>(row.integer(first + 4)),
                 row.text(first + 5),
                 row.integer(first + 6),
                 optional_int(row, first + 7),
                 optional_int(row, first + 8),
                 row.optional_integer(first + 9)};
}

void SqlMediaCatalog::insert(const Media& media) {
    db_.with([&](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO media (id, owner_id, kind, mime, size, sha256, created_at, width, height, "
            "duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        stmt.bind(1, media.id)
            .bind(2, media.owner_id)
            .bind(3, to_string(media.kind))
            .bind(4, media.mime)
            .bind(5, static_cast<std::int64_t>(media.size))
            .bind(6, media.sha256)
            .bind(7, media.created_at);
        media.width ? stmt.bind(8, std::int64_t{*media.width}) : stmt.bind_null(8);
        media.height ? stmt.bind(9, std::int64_t{*media.height}) : stmt.bind_null(9);
        media.duration_ms ? stmt.bind(10, *media.duration_ms) : stmt.bind_null(10);
        stmt.run();
    });
}

std::optional<Media> SqlMediaCatalog::find(const std::string& media_id) {
    return db_.with([&](Connection& db) -> std::optional<Media> {
        auto stmt = db.prepare("SELECT " MEDIA_COLUMNS("md") " FROM media md WHERE md.id = ?");
        stmt.bind(1, media_id);
        if (!stmt.step()) return std::nullopt;
        return read_media(stmt, 0);
    });
}

bool SqlMediaCatalog::visible_to(const std::string& media_id, const std::string& user_id, TimeMs now) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare(
            "SELECT 1 FROM media WHERE id = ?1 AND owner_id = ?2 "
            "UNION ALL SELECT 1 FROM messages m JOIN participants p ON p.chat_id = m.chat_id "
            "  AND p.user_id = ?2 WHERE m.media_id = ?1 AND m.seq >= p.joined_seq "
            "  AND (m.expires_at IS NULL OR m.expires_at > ?3) "
            "  AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = ?2 AND h.message_id = m.id) "
            "UNION ALL SELECT 1 FROM users WHERE image_id = ?1 "
            "UNION ALL SELECT 1 FROM chats c JOIN participants p ON p.chat_id = c.id AND p.user_id = ?2 "
            "  WHERE c.image_id = ?1 "
            "UNION ALL SELECT 1 FROM stories s WHERE s.media_id = ?1 AND s.expires_at > ?3 "
            "  AND (s.user_id = ?2 OR EXISTS (SELECT 1 FROM " CONTACT_PAIRS
            "  WHERE ca.user_id = s.user_id AND cb.user_id = ?2)) "
            "LIMIT 1");
        stmt.bind(1, media_id).bind(2, user_id).bind(3, now);
        return stmt.step();
    });
}

// The thumbnail column: NULL while pending, 'ready' or 'none' once known.
ThumbnailState SqlMediaCatalog::thumbnail_of(const std::string& media_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("SELECT thumbnail FROM media WHERE id = ?");
        stmt.bind(1, media_id);
        const auto state = stmt.step() ? stmt.optional_text(0) : std::nullopt;
        if (state == "ready") return ThumbnailState::ready;
        if (state == "none") return ThumbnailState::none;
        return ThumbnailState::pending;
    });
}

bool SqlMediaCatalog::set_thumbnail(const std::string& media_id, ThumbnailState state) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("UPDATE media SET thumbnail = ? WHERE id = ?");
        if (state == ThumbnailState::pending)
            stmt.bind_null(1);
        else
            stmt.bind(1, std::string_view(state == ThumbnailState::ready ? "ready" : "none"));
        stmt.bind(2, media_id);
        stmt.run();
        return stmt.changes() > 0;
    });
}

std::vector<std::string> SqlMediaCatalog::unused_before(TimeMs created_before, int limit) {
    return db_.with([&](Connection& db) {
        std::vector<std::string> ids;
        auto stmt = db.prepare((std::string("SELECT md.id FROM media md WHERE md.created_at < ? AND") +
                                kUnused + " LIMIT ?").c_str());
        stmt.bind(1, created_before).bind(2, std::int64_t{limit});
        while (stmt.step()) ids.push_back(stmt.text(0));
        return ids;
    });
}

UnusedUploads SqlMediaCatalog::unused_of(const std::string& owner_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare((std::string("SELECT COUNT(*), CAST(COALESCE(SUM(md.size), 0) AS BIGINT), COALESCE(MIN(md.created_at), 0) "
                                            "FROM media md WHERE md.owner_id = ? AND") +
                                kUnused).c_str());
        stmt.bind(1, owner_id);
        stmt.step();
        return UnusedUploads{static_cast<std::uint64_t>(stmt.integer(0)), static_cast<std::uint64_t>(stmt.integer(1)),
                             stmt.integer(2)};
    });
}

std::vector<std::string> SqlMediaCatalog::unused_ids_of(const std::string& owner_id) {
    return db_.with([&](Connection& db) {
        std::vector<std::string> ids;
        auto stmt = db.prepare((std::string("SELECT md.id FROM media md WHERE md.owner_id = ? AND") + kUnused).c_str());
        stmt.bind(1, owner_id);
        while (stmt.step()) ids.push_back(stmt.text(0));
        return ids;
    });
}

std::vector<std::string> SqlMediaCatalog::remove_unused(const std::vector<std::string>& media_ids) {
    return db_.transaction([&](Connection& db) {
        std::vector<std::string> removed;
        auto stmt = db.prepare((std::string("DELETE FROM media AS md WHERE md.id = ? AND") + kUnused).c_str());
        for (const auto& id : media_ids) {
            stmt.reset();
            stmt.bind(1, id).run();
            if (stmt.changes() > 0) removed.push_back(id);
        }
        return removed;
    });
}

bool SqlMediaCatalog::remove(const std::string& media_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("DELETE FROM media WHERE id = ?");
        stmt.bind(1, media_id).run();
        return stmt.changes() == 1;
    });
}

}  // namespace flow::sql
