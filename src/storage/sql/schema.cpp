#include "storage/sql/schema.hpp"

namespace flow::sql {

namespace {

// Append only: a migration that has shipped is never edited, a new one is added.
const std::vector<Migration> kMigrations = {
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
    // 2: chats, participants, messages, what each user hid, how far each device got
    R"sql(
    CREATE TABLE chats (
        id         TEXT PRIMARY KEY,
        type       TEXT NOT NULL,
        name       TEXT NOT NULL DEFAULT '',
        image_id   TEXT,
        created_at INTEGER NOT NULL,
        active_at  INTEGER NOT NULL,
        last_seq   INTEGER NOT NULL DEFAULT 0,
        direct_key TEXT UNIQUE
    );
    CREATE TABLE participants (
        chat_id       TEXT NOT NULL REFERENCES chats (id),
        user_id       TEXT NOT NULL REFERENCES users (id),
        role          TEXT NOT NULL,
        joined_seq    INTEGER NOT NULL,
        joined_at     INTEGER NOT NULL,
        read_seq      INTEGER NOT NULL DEFAULT 0,
        delivered_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (chat_id, user_id)
    );
    CREATE INDEX participants_by_user ON participants (user_id);
    CREATE TABLE messages (
        id         TEXT PRIMARY KEY,
        chat_id    TEXT NOT NULL REFERENCES chats (id),
        seq        INTEGER NOT NULL,
        sender_id  TEXT NOT NULL,
        client_id  TEXT NOT NULL,
        type       TEXT NOT NULL,
        text       TEXT NOT NULL,
        media_id   TEXT,
        reply_to   TEXT,
        created_at INTEGER NOT NULL,
        deleted    INTEGER NOT NULL DEFAULT 0,
        origin_session TEXT NOT NULL DEFAULT '',
        UNIQUE (chat_id, seq),
        UNIQUE (chat_id, sender_id, client_id)
    );
    CREATE INDEX messages_with_media ON messages (chat_id, seq) WHERE media_id IS NOT NULL;
    CREATE TABLE hidden_messages (
        user_id    TEXT NOT NULL,
        message_id TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        PRIMARY KEY (user_id, message_id)
    );
    CREATE TABLE device_cursors (
        session_id    TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        chat_id       TEXT NOT NULL,
        delivered_seq INTEGER NOT NULL,
        PRIMARY KEY (session_id, chat_id)
    );
    )sql",
    // 3: media objects
    R"sql(
    CREATE TABLE media (
        id          TEXT PRIMARY KEY,
        owner_id    TEXT NOT NULL REFERENCES users (id),
        kind        TEXT NOT NULL,
        mime        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        width       INTEGER,
        height      INTEGER,
        duration_ms INTEGER
    );
    CREATE INDEX messages_by_media ON messages (media_id) WHERE media_id IS NOT NULL;
    CREATE INDEX users_by_image ON users (image_id) WHERE image_id IS NOT NULL;
    CREATE INDEX chats_by_image ON chats (image_id) WHERE image_id IS NOT NULL;
    )sql",
    // 4: stories and who viewed them; media by age, for the sweep of unused media
    R"sql(
    CREATE TABLE stories (
        id         TEXT PRIMARY KEY,
        user_id    TEXT NOT NULL REFERENCES users (id),
        type       TEXT NOT NULL,
        text       TEXT NOT NULL,
        media_id   TEXT,
        background TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX stories_by_user ON stories (user_id, expires_at);
    CREATE INDEX stories_by_expiry ON stories (expires_at);
    CREATE INDEX stories_by_media ON stories (media_id) WHERE media_id IS NOT NULL;
    CREATE TABLE story_views (
        story_id  TEXT NOT NULL,
        user_id   TEXT NOT NULL,
        viewed_at INTEGER NOT NULL,
        PRIMARY KEY (story_id, user_id)
    );
    CREATE INDEX media_by_age ON media (created_at);
    )sql",
    // 5: calls and who is in them
    R"sql(
    CREATE TABLE calls (
        id          TEXT PRIMARY KEY,
        type        TEXT NOT NULL,
        chat_id     TEXT NOT NULL,
        caller_id   TEXT NOT NULL REFERENCES users (id),
        callee_id   TEXT REFERENCES users (id),
        status      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at    INTEGER,
        ring_until  INTEGER
    );
    CREATE INDEX calls_ringing ON calls (ring_until) WHERE ring_until IS NOT NULL;
    CREATE TABLE call_participants (
        call_id    TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        user_id    TEXT NOT NULL REFERENCES users (id),
        state      TEXT NOT NULL,
        session_id TEXT NOT NULL,
        position   INTEGER NOT NULL,
        PRIMARY KEY (call_id, user_id)
    );
    CREATE INDEX call_participants_by_user ON call_participants (user_id, call_id);
    CREATE INDEX call_participants_live ON call_participants (user_id) WHERE state IN ('ringing', 'joined');
    )sql",
    // 6: a chat's members in the order they are listed, read for every message sent
    // without a sort or a visit to the table
    R"sql(
    CREATE INDEX participants_in_order ON participants (chat_id, joined_at, user_id, role, joined_seq);
    )sql",
    // 7: who took part in a direct chat (contacts and message requests). In the chats
    // that were there before, a member took part when they had sent a message in it:
    // a chat only its opener wrote in becomes a request for the other, and one nobody
    // wrote in a request for both (who opened it was not recorded). Every member of a
    // group took part. The members' index covers the new column as it did the others.
    R"sql(
    ALTER TABLE participants ADD COLUMN took_part INTEGER NOT NULL DEFAULT 1;
    UPDATE participants SET took_part = 0
     WHERE chat_id IN (SELECT id FROM chats WHERE type = 'direct')
       AND NOT EXISTS (SELECT 1 FROM messages m
                        WHERE m.chat_id = participants.chat_id AND m.sender_id = participants.user_id);
    DROP INDEX participants_in_order;
    CREATE INDEX participants_in_order ON participants (chat_id, joined_at, user_id, role, joined_seq, took_part);
    )sql",
    // 8: ongoing calls by when they were answered, for the check that ends abandoned ones
    R"sql(
    CREATE INDEX calls_ongoing ON calls (answered_at) WHERE status = 'ongoing';
    )sql",
    // 9: a user's uploads, for the quota on those nothing uses yet
    R"sql(
    CREATE INDEX media_by_owner ON media (owner_id, created_at);
    )sql",
    // 10: devices (their platform, when each was last seen, where pushes reach it) and
    // muted chats
    R"sql(
    ALTER TABLE sessions ADD COLUMN platform TEXT NOT NULL DEFAULT 'other';
    ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
    UPDATE sessions SET last_seen_at = created_at;
    CREATE TABLE push_registrations (
        session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,
        endpoint   TEXT NOT NULL DEFAULT '',
        p256dh     TEXT NOT NULL DEFAULT '',
        auth       TEXT NOT NULL DEFAULT '',
        token      TEXT NOT NULL DEFAULT '',
        voip       INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    ALTER TABLE participants ADD COLUMN muted_until INTEGER;
    )sql",
    // 11: each member's pinned and archived chats
    R"sql(
    ALTER TABLE participants ADD COLUMN pinned_at INTEGER;
    ALTER TABLE participants ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 12: full-text search of messages' text and captions, whole words, case and accents
    // folded. The index follows the messages table by itself: an edit (an UPDATE of text),
    // a delete for everyone (text erased) and a row removed (expiry) change it in the same
    // transaction, with no code of their own. Existing messages are indexed here.
    // SQLite: FTS5 over the messages' own rows (external content, by rowid, which nothing
    // renumbers: flowd never VACUUMs, and SQLite's VACUUM keeps rowids), kept by triggers;
    // words only (columnsize = 0: no ranking).
    {R"sql(
    CREATE VIRTUAL TABLE message_search USING fts5 (
        text, content = 'messages', columnsize = 0,
        tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_search (rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER message_search_update AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO message_search (message_search, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO message_search (rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
        INSERT INTO message_search (message_search, rowid, text) VALUES ('delete', old.rowid, old.text);
    END;
    INSERT INTO message_search (message_search) VALUES ('rebuild');
    )sql",
     // PostgreSQL: a tsvector column the database computes on every write, and a GIN
     // index of it. Its words are those of the 'simple' configuration (case folded, every
     // word kept as written: whole words in any language) after unaccent, each prefixed
     // with its chat's key (the last 8 characters of the chat's id, random in flowd's ids;
     // two chats that share one cost time, not results), so that the index finds matches
     // in the searcher's chats alone: a word common in others' chats costs them nothing.
     // unaccent is STABLE; the IMMUTABLE wrappers (message_search_vector, and
     // message_search_query for the searches) name its dictionary by OID, bound when they
     // are made (SQL-standard bodies). unaccent goes in schema public unless installed
     // already; the lock is the one migrate() holds (it nests), so that concurrent
     // migrations in one database never both create it.
     R"sql(
    SELECT pg_advisory_xact_lock(7380396448080815986);
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
    -- A word as tsquery's input reads it: quoted, with its quotes and backslashes escaped.
    CREATE FUNCTION message_search_lexeme(word text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN '''' || replace(replace(word, '\', '\\'), '''', '''''') || '''';
    DO $$
    DECLARE
        unaccent_schema text := (SELECT quote_ident(n.nspname) FROM pg_extension e
                                   JOIN pg_namespace n ON n.oid = e.extnamespace
                                  WHERE e.extname = 'unaccent');
        -- The words of a text, case and accents folded.
        words text := 'tsvector_to_array(to_tsvector(''pg_catalog.simple'', %1$s.unaccent(%2$L, %3$s)))';
    BEGIN
        -- Each word as key:word, joined and split on chr(1) (never in a word).
        EXECUTE format(
            'CREATE FUNCTION message_search_vector(chat_id text, body text) RETURNS tsvector '
            'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
            'RETURN array_to_tsvector(array_remove(string_to_array(right(chat_id, 8) || '':'' || '
            'array_to_string(' || words || ', chr(1) || right(chat_id, 8) || '':''), chr(1)), '
            'right(chat_id, 8) || '':''))',
            unaccent_schema, unaccent_schema || '.unaccent', 'body');
        -- Every word in one of the chats; null when there are no words or no chats.
        EXECUTE format(
            'CREATE FUNCTION message_search_query(words text, chat_ids text[]) RETURNS tsquery '
            'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
            'RETURN (WITH word AS (SELECT unnest(' || words || ') AS word) '
            'SELECT CAST(string_agg(''('' || every_word || '')'', '' | '') AS tsquery) '
            'FROM (SELECT (SELECT string_agg(message_search_lexeme(right(chat_id, 8) || '':'' || word), '' & '') '
            'FROM word) AS every_word FROM unnest(chat_ids) AS chat_id) AS chat)',
            unaccent_schema, unaccent_schema || '.unaccent', 'words');
    END
    $$;
    ALTER TABLE messages ADD COLUMN search_words tsvector
        GENERATED ALWAYS AS (message_search_vector(chat_id, text)) STORED;
    CREATE INDEX message_search ON messages USING gin (search_words);
    )sql"},
    // 13: thumbnails: whether each media object's was made ('ready'), cannot be ('none'), or
    // is still to come (NULL; also for media from before, made when first asked for)
    R"sql(
    ALTER TABLE media ADD COLUMN thumbnail TEXT;
    )sql",
    // 14: when a message's text was last edited (null: never)
    R"sql(
    ALTER TABLE messages ADD COLUMN edited_at INTEGER;
    )sql",
    // 15: reactions, one per user per message, found by the message's place in its chat
    // so that a page of history reads its reactions with one range scan
    R"sql(
    CREATE TABLE reactions (
        chat_id    TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        user_id    TEXT NOT NULL,
        emoji      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (chat_id, seq, user_id)
    );
    )sql",
    // 16: whether a message was forwarded from another (or the same) chat
    R"sql(
    ALTER TABLE messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 17: the members a message mentions, their ids separated by spaces
    R"sql(
    ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
    )sql",
    // 18: privacy settings (a row once a user changes one; none means the defaults), and
    // reports with a copy of the messages they name, kept whatever becomes of the messages
    R"sql(
    CREATE TABLE privacy_settings (
        user_id       TEXT PRIMARY KEY REFERENCES users (id),
        last_seen     TEXT NOT NULL,
        photo         TEXT NOT NULL,
        about         TEXT NOT NULL,
        read_receipts INTEGER NOT NULL,
        groups_add    TEXT NOT NULL
    );
    CREATE TABLE reports (
        id          TEXT PRIMARY KEY,
        reporter_id TEXT NOT NULL REFERENCES users (id),
        reported_id TEXT NOT NULL REFERENCES users (id),
        reason      TEXT NOT NULL,
        note        TEXT NOT NULL DEFAULT '',
        created_at  INTEGER NOT NULL
    );
    CREATE INDEX reports_by_reported ON reports (reported_id, created_at);
    CREATE TABLE report_messages (
        report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        message_id TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        sender_id  TEXT NOT NULL,
        type       TEXT NOT NULL,
        text       TEXT NOT NULL,
        media_id   TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (report_id, message_id)
    );
    CREATE INDEX report_messages_by_media ON report_messages (media_id) WHERE media_id IS NOT NULL;
    )sql",
    // 19: who blocked whom, and the blocker's profile as the blocked user saw it then; a
    // callee who blocked the caller is in the call unseen (withheld)
    R"sql(
    CREATE TABLE blocks (
        blocker_id        TEXT NOT NULL REFERENCES users (id),
        blocked_id        TEXT NOT NULL REFERENCES users (id),
        created_at        INTEGER NOT NULL,
        seen_image_id     TEXT,
        seen_about        TEXT NOT NULL,
        seen_last_seen_at INTEGER,
        PRIMARY KEY (blocker_id, blocked_id)
    );
    ALTER TABLE call_participants ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 20: what the nodes of one service must agree on, such as the fingerprint of their
    // secret key
    R"sql(
    CREATE TABLE service_settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    )sql",
    // 21: disappearing messages: each chat's period (seconds, 0: off) and the lifetime it
    // gives new messages (ms), each message's time to disappear, and the messages still
    // to be erased by that time, for the sweep
    R"sql(
    ALTER TABLE chats ADD COLUMN disappearing_seconds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chats ADD COLUMN disappearing_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN expires_at INTEGER;
    CREATE INDEX messages_to_expire ON messages (expires_at) WHERE expires_at IS NOT NULL AND deleted = 0;
    )sql",
    // 22: the operator's tools (flowctl): when a user was banned (null: not banned), and
    // when a report was resolved (null: still open)
    R"sql(
    ALTER TABLE users ADD COLUMN banned_at INTEGER;
    ALTER TABLE reports ADD COLUMN resolved_at INTEGER;
    CREATE INDEX reports_by_time ON reports (created_at);
    )sql",
};

}  // namespace

const std::vector<Migration>& schema_migrations() { return kMigrations; }

}  // namespace flow::sql
