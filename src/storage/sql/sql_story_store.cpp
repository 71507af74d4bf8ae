#include "storage/sql/sql_story_store.hpp"

#include "storage/sql/sql_media_catalog.hpp"

namespace flow::sql {

namespace {

// A story's columns, then its media's (NULLs when it has none), as read_story reads them.
#define STORY_COLUMNS                                                                           \
    "s.id, s.user_id, s.type, s.text, s.media_id, s.background, s.created_at, s.expires_at, " \
    MEDIA_COLUMNS("md")
#define STORY_FROM " FROM stories s LEFT JOIN media md ON md.id = s.media_id "

Story read_story(const Statement& row) {
    return Story{row.text(0),
                 row.text(1),
                 story_type_from(row.text(2)).value_or(StoryType::text),
                 row.text(3),
                 row.optional_text(4),
                 row.optional_text(5),
                 row.integer(6),
                 row.integer(7),
                 row.optional_text(8) ? std::optional(read_media(row, 8)) : std::nullopt};
}

}  // namespace

void SqlStoryStore::insert(const Story& story) {
    db_.with([&](Connection& db) {
        db.prepare("INSERT INTO stories (id, user_id, type, text, media_id, background, created_at, "
                   "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, story.id)
            .bind(2, story.user_id)
            .bind(3, to_string(story.type))
            .bind(4, story.text)
            .bind(5, story.media_id)
            .bind(6, story.background)
            .bind(7, story.created_at)
            .bind(8, story.expires_at)
            .run();
    });
}

std::optional<Story> SqlStoryStore::find(const std::string& story_id) {
    return db_.with([&](Connection& db) -> std::optional<Story> {
        auto stmt = db.prepare("SELECT " STORY_COLUMNS STORY_FROM "WHERE s.id = ?");
        stmt.bind(1, story_id);
        if (!stmt.step()) return std::nullopt;
        return read_story(stmt);
    });
}

std::vector<StoryView> SqlStoryStore::live_of(const std::vector<std::string>& user_ids,
                                                 const std::string& viewer_id, TimeMs now) {
    return db_.with([&](Connection& db) {
        std::vector<StoryView> out;
        // One prepared statement run per user: contact lists are short, and this keeps
        // the statement cacheable.
        auto stmt = db.prepare(
            "SELECT " STORY_COLUMNS ", v.viewed_at" STORY_FROM
            "LEFT JOIN story_views v ON v.story_id = s.id AND v.user_id = ?3 "
            "WHERE s.user_id = ?1 AND s.expires_at > ?2");
        for (const auto& user_id : user_ids) {
            stmt.reset();
            stmt.bind(1, user_id).bind(2, now).bind(3, viewer_id);
            while (stmt.step()) out.push_back({read_story(stmt), stmt.optional_integer(18).has_value()});
        }
        return out;
    });
}

void SqlStoryStore::record_view(const std::string& story_id, const std::string& user_id, TimeMs at) {
    db_.with([&](Connection& db) {
        db.prepare("INSERT INTO story_views (story_id, user_id, viewed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(1, story_id)
            .bind(2, user_id)
            .bind(3, at)
            .run();
    });
}

std::vector<StoryViewer> SqlStoryStore::viewers(const std::string& story_id) {
    return db_.with([&](Connection& db) {
        std::vector<StoryViewer> out;
        auto stmt = db.prepare(
            "SELECT user_id, viewed_at FROM story_views WHERE story_id = ? ORDER BY viewed_at, user_id");
        stmt.bind(1, story_id);
        while (stmt.step()) out.push_back({stmt.text(0), stmt.integer(1)});
        return out;
    });
}

void SqlStoryStore::remove(const std::string& story_id) {
    db_.transaction([&](Connection& db) {
        db.prepare("DELETE FROM story_views WHERE story_id = ?").bind(1, story_id).run();
        db.prepare("DELETE FROM stories WHERE id = ?").bind(1, story_id).run();
    });
}

void SqlStoryStore::remove_all_of(const std::string& user_id) {
    db_.transaction([&](Connection& db) {
        db.prepare("DELETE FROM story_views WHERE story_id IN (SELECT id FROM stories WHERE user_id = ?)")
            .bind(1, user_id)
            .run();
        db.prepare("DELETE FROM stories WHERE user_id = ?").bind(1, user_id).run();
    });
}

std::vector<std::string> SqlStoryStore::remove_expired(TimeMs now) {
    return db_.transaction([&](Connection& db) {
        std::vector<std::string> media_ids;
        auto media = db.prepare("SELECT media_id FROM stories WHERE expires_at <= ? AND media_id IS NOT NULL");
        media.bind(1, now);
        while (media.step()) media_ids.push_back(media.text(0));
        db.prepare("DELETE FROM story_views WHERE story_id IN (SELECT id FROM stories WHERE expires_at <= ?)")
            .bind(1, now)
            .run();
        db.prepare("DELETE FROM stories WHERE expires_at <= ?").bind(1, now).run();
        return media_ids;
    });
}

}  // namespace flow::sql
