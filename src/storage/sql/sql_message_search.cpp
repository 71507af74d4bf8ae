// SqlChatStore::search_messages: full-text search over the index of schema version 11, in
// the SQL of each engine.
#include <algorithm>
#include <charconv>
#include <limits>

#include "storage/sql/fts5_query.hpp"
#include "storage/sql/sql_chat_store.hpp"
#include "storage/sql/sql_message_rows.hpp"

namespace flow::sql {

namespace {

// What a search sees is what history shows: the user's chats from their joining on, less
// what they hid, what was deleted and what expired. Binds: 1 the words, 2 the user, 3 the
// cursor, 4 the limit, 5 the time now, 6 the chat (when in one; last, so that PostgreSQL
// knows the type of every parameter below it). Its joins are those message_columns()
// reads (media, and the message a reply answers).
#define SEARCH_VISIBLE                                                                   \
    " JOIN participants p ON p.chat_id = m.chat_id AND p.user_id = ?2"                  \
    " LEFT JOIN media md ON md.id = m.media_id"                                          \
    " LEFT JOIN messages r ON r.id = m.reply_to"                                         \
    " WHERE m.seq >= p.joined_seq AND m.deleted = 0"                                     \
    " AND (m.expires_at IS NULL OR m.expires_at > ?5)"                                   \
    " AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = ?2 AND h.message_id = m.id)"

Error bad_cursor() { return Error::invalid("invalid_cursor", "before must be a next_before of this search"); }

// SQLite: FTS5 hands its matches over by rowid, newest first (messages are appended), and
// the page stops at its last row: the cost is the matches passed over, each a lookup or
// two. The cursor is a rowid.

std::optional<std::int64_t> read_rowid(const std::string& cursor) {
    std::int64_t rowid = 0;
    const auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), rowid);
    if (ec != std::errc() || end != cursor.data() + cursor.size() || rowid <= 0) return std::nullopt;
    return rowid;
}

FoundMessages search_fts5(Connection& db, const MessageSearch& search, int rows, TimeMs now) {
    const std::string words = fts5_all_words(search.words);
    if (words.empty()) return {};
    std::string sql = std::string("SELECT ") + message_columns() +
                      " FROM message_search s JOIN messages m ON m.rowid = s.rowid" SEARCH_VISIBLE
                      " AND message_search MATCH ?1 AND s.rowid < ?3";
    if (search.chat_id) sql += " AND m.chat_id = ?6";
    sql += " ORDER BY s.rowid DESC LIMIT ?4";
    auto stmt = db.prepare(sql.c_str());
    stmt.bind(1, words)
        .bind(2, search.user_id)
        .bind(3, search.before ? *read_rowid(*search.before) : std::numeric_limits<std::int64_t>::max())
        .bind(4, std::int64_t{rows})
        .bind(5, now);
    if (search.chat_id) stmt.bind(6, *search.chat_id);
    return {read_message_rows(db, stmt, now), std::nullopt};
}

std::string rowid_of(Connection& db, const Message& message) {
    auto stmt = db.prepare("SELECT rowid FROM messages WHERE id = ?");
    stmt.bind(1, message.id);
    if (!stmt.step()) throw Failure("a message found by search is not there");
    return std::to_string(stmt.integer(0));
}

// PostgreSQL: its words carry their chat (schema.cpp), so the query asks for them in the
// searcher's chats only. A GIN index finds matches in no order, and how many of them a
// search has is not known when it is planned, so each step's SQL leaves the planner one
// way: the newest RECENT messages first, in id order (ids begin with the time), where a
// common word fills the page at once; then the index for the older ones, its matches
// materialized (all of them the searcher's) and sorted, whatever plan a prepared
// statement ends up with. The cursor is an id.
#define RECENT "2000"
constexpr const char* kAfterEveryId = "zzzzzzzzzzzzzzzzzzzzzzzzzzz";  // ids: 26 of 0-9, a-z

// The words, in every chat of the user's or in one.
#define ASKED_IN_ALL                                                                          \
    "WITH asked AS MATERIALIZED (SELECT message_search_query(?1, "                            \
    "ARRAY(SELECT chat_id FROM participants WHERE user_id = ?2)) AS words) "
#define ASKED_IN_ONE \
    "WITH asked AS MATERIALIZED (SELECT message_search_query(?1, ARRAY[CAST(?6 AS TEXT)]) AS words) "

bool is_id(const std::string& cursor) {
    return !cursor.empty() && cursor.size() <= 64 && std::all_of(cursor.begin(), cursor.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
           });
}

std::vector<Message> found_rows(Connection& db, Statement&& stmt, const MessageSearch& search,
                                const std::string& before, int rows, TimeMs now) {
    stmt.bind(1, search.words).bind(2, search.user_id).bind(3, before).bind(4, std::int64_t{rows}).bind(5, now);
    if (search.chat_id) stmt.bind(6, *search.chat_id);
    return read_message_rows(db, stmt, now);
}

FoundMessages search_postgres(Connection& db, const MessageSearch& search, int rows, TimeMs now) {
    const std::string before = search.before.value_or(kAfterEveryId);
    const std::string columns = std::string("SELECT ") + message_columns();
    std::vector<Message> found;
    std::string older_than = before;
    if (!search.chat_id) {
        found = found_rows(db, db.prepare((ASKED_IN_ALL + columns +
                                       " FROM (SELECT * FROM messages WHERE id < ?3 ORDER BY id DESC LIMIT " RECENT ") m"
                                       " CROSS JOIN asked a" SEARCH_VISIBLE
                                       " AND m.search_words @@ a.words ORDER BY m.id DESC LIMIT ?4")
                                          .c_str()),
                           search, before, rows, now);
        if (static_cast<int>(found.size()) == rows) return {std::move(found), std::nullopt};
        // Where those end: the older ones are the index's.
        auto end = db.prepare("SELECT id FROM messages WHERE id < ? ORDER BY id DESC LIMIT 1 OFFSET " RECENT " - 1");
        end.bind(1, before);
        if (!end.step()) return {std::move(found), std::nullopt};  // there are none
        older_than = end.text(0);
    }
    auto older = found_rows(
        db, db.prepare(((search.chat_id ? ASKED_IN_ONE : ASKED_IN_ALL) +
                    std::string(", matched AS MATERIALIZED (SELECT m.* FROM asked a CROSS JOIN messages m"
                                " WHERE m.search_words @@ a.words AND m.id < ?3") +
                    (search.chat_id ? " AND m.chat_id = ?6) " : ") ") + columns +
                    " FROM matched m" SEARCH_VISIBLE " ORDER BY m.id DESC LIMIT ?4")
                       .c_str()),
        search, older_than, rows - static_cast<int>(found.size()), now);
    std::move(older.begin(), older.end(), std::back_inserter(found));
    return {std::move(found), std::nullopt};
}

}  // namespace

Result<FoundMessages> SqlChatStore::search_messages(const MessageSearch& search) {
    if (search.before && !(fts5_ ? read_rowid(*search.before).has_value() : is_id(*search.before)))
        return bad_cursor();
    const int rows = search.limit + 1;  // one more than the page: whether an older page exists
    auto page = [&](Connection& db, FoundMessages found) {
        if (static_cast<int>(found.items.size()) < rows) return found;
        found.items.pop_back();
        found.next_before = fts5_ ? rowid_of(db, found.items.back()) : found.items.back().id;
        return found;
    };
    const TimeMs now = clock_.now_ms();
    return db_.with([&](Connection& db) {
        return page(db, fts5_ ? search_fts5(db, search, rows, now) : search_postgres(db, search, rows, now));
    });
}

}  // namespace flow::sql
