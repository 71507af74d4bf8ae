#include "storage/sql/sql_chat_store.hpp"

#include "storage/sql/sql_media_catalog.hpp"
#include "storage/sql/sql_message_rows.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <unordered_map>

namespace flow::sql {

namespace {

// How far a device has got in a chat: its cursor (d), or just before the member (p)
// joined when it has none or is behind that.
#define DEVICE_DONE                                                                         \
    "CASE WHEN COALESCE(d.delivered_seq, 0) > p.joined_seq - 1 THEN COALESCE(d.delivered_seq, 0) " \
    "ELSE p.joined_seq - 1 END"

// The columns read_message reads, from MESSAGE_FROM: the message, its media, and what a
// reply shows of the message it answers (as it is now: edited, or deleted).
constexpr const char* kMessageColumns =
    "m.id, m.chat_id, m.seq, m.sender_id, m.client_id, m.type, m.text, m.media_id, m.reply_to, "
    "m.created_at, m.deleted, m.origin_session, m.edited_at, " MEDIA_COLUMNS("md") ", "
    "r.id, r.sender_id, r.type, r.deleted, substr(r.text, 1, 100), m.forwarded, m.mentions, m.expires_at, r.expires_at";
#define MESSAGE_FROM \
    " FROM messages m LEFT JOIN media md ON md.id = m.media_id LEFT JOIN messages r ON r.id = m.reply_to"
static_assert(kReplyPreviewLength == 100, "the substr above cuts a reply's preview");
// Leaves out what the user hid for themselves; binds the user id.
constexpr const char* kNotHidden =
    " AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = ? AND h.message_id = m.id)";
// Leaves out what disappeared by now (is_expired), swept or not yet; binds the time.
constexpr const char* kNotExpired = " AND (m.expires_at IS NULL OR m.expires_at > ?)";

// Mentions as a column holds them: user ids (which have no spaces) separated by spaces.
std::string join_ids(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) {
        if (!out.empty()) out += ' ';
        out += id;
    }
    return out;
}

std::vector<std::string> split_ids(std::string_view text) {
    std::vector<std::string> ids;
    while (!text.empty()) {
        const auto space = text.find(' ');
        ids.emplace_back(text.substr(0, space));
        if (space == std::string_view::npos) break;
        text.remove_prefix(space + 1);
    }
    return ids;
}

// The message of a row; `now` tells whether the original of a reply has disappeared
// (is_expired), which its preview then shows as deleted.
Message read_message(const Statement& row, TimeMs now) {
    Message m;
    m.id = row.text(0);
    m.chat_id = row.text(1);
    m.seq = row.integer(2);
    m.sender_id = row.text(3);
    m.client_id = row.text(4);
    m.type = message_type_from(row.text(5)).value_or(MessageType::file);
    m.text = row.text(6);
    m.media_id = row.optional_text(7);
    m.reply_to = row.optional_text(8);
    m.created_at = row.integer(9);
    m.deleted = row.integer(10) != 0;
    m.origin_session = row.text(11);
    m.edited_at = row.optional_integer(12);
    // A purged media object (MediaCatalog::remove) leaves its id on the message, and no media.
    if (m.media_id && row.optional_text(13)) m.media = read_media(row, 13);
    if (auto original = row.optional_text(23)) {
        const auto original_expires_at = row.optional_integer(31);
        const bool gone = row.integer(26) != 0 || (original_expires_at && *original_expires_at <= now);
        m.reply_preview = ReplyPreview{*original, row.text(24), message_type_from(row.text(25)).value_or(MessageType::file),
                                       gone ? std::nullopt : row.optional_text(27)};
    }
    m.forwarded = row.integer(28) != 0;
    m.mentions = split_ids(row.text(29));
    m.expires_at = row.optional_integer(30);
    return m;
}

// Fills in the reactions of messages, with one query per chat among them (a page of
// history is one chat: one query), over the seq range that chat's messages span (hidden
// ones between them too, which cost a row each and are passed over).
void attach_reactions(Connection& db, std::span<Message> messages) {
    std::map<std::string, std::unordered_map<Seq, Message*>> by_chat;
    for (auto& m : messages) by_chat[m.chat_id].emplace(m.seq, &m);
    for (const auto& [chat_id, by_seq] : by_chat) {
        Seq low = by_seq.begin()->first, high = low;
        for (const auto& entry : by_seq) {
            low = std::min(low, entry.first);
            high = std::max(high, entry.first);
        }
        auto stmt = db.prepare("SELECT seq, emoji, user_id FROM reactions WHERE chat_id = ? AND seq >= ? AND seq <= ? "
                               "ORDER BY seq, created_at, user_id");
        stmt.bind(1, chat_id).bind(2, low).bind(3, high);
        while (stmt.step())
            if (auto it = by_seq.find(stmt.integer(0)); it != by_seq.end())
                add_reaction(it->second->reactions, stmt.text(1), stmt.text(2));
    }
}

// The messages a statement reads, with their reactions.
std::vector<Message> read_messages(Connection& db, Statement& stmt, TimeMs now) {
    std::vector<Message> out;
    while (stmt.step()) out.push_back(read_message(stmt, now));
    stmt.reset();
    attach_reactions(db, out);
    return out;
}

#define CHAT_SELECT                                                                                       \
    "SELECT id, type, name, image_id, created_at, active_at, last_seq, disappearing_seconds, disappearing_ms " \
    "FROM chats WHERE id = ?"

// The chat and its members; `for_update` locks its row until the transaction ends, so
// changes to one chat (and its seq) happen one at a time on every node.
std::optional<Chat> load_chat(Connection& db, const std::string& chat_id, bool for_update = false) {
    auto stmt = db.prepare(for_update ? CHAT_SELECT " FOR UPDATE" : CHAT_SELECT);
    stmt.bind(1, chat_id);
    if (!stmt.step()) return std::nullopt;
    Chat chat{stmt.text(0), stmt.text(1) == "group" ? ChatType::group : ChatType::direct,
              stmt.text(2), stmt.optional_text(3), stmt.integer(4), stmt.integer(5),
              stmt.integer(6), {}, stmt.integer(7), stmt.integer(8)};
    auto members = db.prepare(
        "SELECT user_id, role, joined_seq, joined_at, took_part FROM participants WHERE chat_id = ? "
        "ORDER BY joined_at, user_id");
    members.bind(1, chat_id);
    while (members.step())
        chat.participants.push_back({members.text(0),
                                     members.text(1) == "admin" ? Role::admin : Role::member,
                                     members.integer(2), members.integer(3), members.integer(4) != 0});
    members.reset();
    if (chat.type == ChatType::direct && chat.participants.size() == 2) {
        auto blocks = db.prepare("SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?");
        for (std::size_t i = 0; i < 2; ++i) {
            auto& blocker = chat.participants[i];
            blocks.bind(1, blocker.user_id).bind(2, chat.participants[1 - i].user_id);
            blocker.blocks_other = blocks.step();
            blocks.reset();
        }
    }
    return chat;
}

void insert_participant(Connection& db, const std::string& chat_id, const Participant& p) {
    db.prepare("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at, read_seq, "
               "delivered_seq, took_part) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, chat_id)
        .bind(2, p.user_id)
        .bind(3, to_string(p.role))
        .bind(4, p.joined_seq)
        .bind(5, p.joined_at)
        .bind(6, p.joined_seq - 1)
        .bind(7, p.joined_seq - 1)
        .bind(8, std::int64_t{p.took_part})
        .run();
}

void insert_group(Connection& db, const Chat& chat) {
    db.prepare("INSERT INTO chats (id, type, name, image_id, created_at, active_at, last_seq) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, chat.id)
        .bind(2, to_string(chat.type))
        .bind(3, chat.name)
        .bind(4, chat.image_id)
        .bind(5, chat.created_at)
        .bind(6, chat.active_at)
        .bind(7, chat.last_seq)
        .run();
    for (const auto& p : chat.participants) insert_participant(db, chat.id, p);
}

// The key that makes a pair's direct chat unique, whichever of the two asks.
std::string direct_key(const Chat& chat) {
    auto a = chat.participants.at(0).user_id, b = chat.participants.at(1).user_id;
    if (b < a) std::swap(a, b);
    return a + ":" + b;
}

// Stores the participants of `after` that differ from `before`.
void save_participants(Connection& db, const Chat& before, const Chat& after) {
    for (const auto& old : before.participants) {
        const auto* now = after.participant(old.user_id);
        if (!now) {
            db.prepare("DELETE FROM participants WHERE chat_id = ? AND user_id = ?")
                .bind(1, after.id)
                .bind(2, old.user_id)
                .run();
            db.prepare("DELETE FROM device_cursors WHERE chat_id = ? AND session_id IN "
                       "(SELECT id FROM sessions WHERE user_id = ?)")
                .bind(1, after.id)
                .bind(2, old.user_id)
                .run();
        } else if (now->role != old.role || now->took_part != old.took_part) {
            db.prepare("UPDATE participants SET role = ?, took_part = ? WHERE chat_id = ? AND user_id = ?")
                .bind(1, to_string(now->role))
                .bind(2, std::int64_t{now->took_part})
                .bind(3, after.id)
                .bind(4, old.user_id)
                .run();
        }
    }
    for (const auto& p : after.participants)
        if (!before.participant(p.user_id)) insert_participant(db, after.id, p);
}

ChatView view_of(Connection& db, const Chat& chat, const std::string& user_id, TimeMs now) {
    ChatView view;
    view.chat = chat;
    view.request = is_request_for(chat, user_id);
    const auto* me = chat.participant(user_id);
    if (!me) return view;
    auto last = db.prepare((std::string("SELECT ") + kMessageColumns +
                            MESSAGE_FROM " WHERE m.chat_id = ? AND m.seq >= ?" + kNotHidden + kNotExpired +
                            " ORDER BY m.seq DESC LIMIT 1")
                               .c_str());
    last.bind(1, chat.id).bind(2, me->joined_seq).bind(3, user_id).bind(4, now);
    if (last.step()) view.last_message = read_message(last, now);
    last.reset();
    if (view.last_message) attach_reactions(db, std::span(&*view.last_message, 1));

    auto unread = db.prepare(
        (std::string("SELECT count(*) FROM messages m, participants p WHERE p.chat_id = ? AND p.user_id = ? "
                     "AND m.chat_id = p.chat_id AND m.seq > p.read_seq AND m.seq >= p.joined_seq "
                     "AND m.sender_id != p.user_id AND m.deleted = 0") + kNotHidden + kNotExpired)
            .c_str());
    unread.bind(1, chat.id).bind(2, user_id).bind(3, user_id).bind(4, now);
    if (unread.step()) view.unread_count = unread.integer(0);
    unread.reset();

    auto own = db.prepare("SELECT muted_until, pinned_at, archived FROM participants WHERE chat_id = ? AND user_id = ?");
    own.bind(1, chat.id).bind(2, user_id);
    if (own.step()) {
        view.muted_until = own.optional_integer(0);
        view.pinned = own.optional_integer(1).has_value();
        view.archived = own.integer(2) != 0;
    }
    return view;
}

std::optional<Message> message_by_id(Connection& db, const std::string& chat_id,
                                     const std::string& message_id, TimeMs now) {
    auto stmt = db.prepare((std::string("SELECT ") + kMessageColumns +
                            MESSAGE_FROM " WHERE m.id = ? AND m.chat_id = ?")
                               .c_str());
    stmt.bind(1, message_id).bind(2, chat_id);
    if (!stmt.step()) return std::nullopt;
    return read_message(stmt, now);
}

std::optional<Message> message_by_seq(Connection& db, const std::string& chat_id, Seq seq, TimeMs now) {
    auto stmt = db.prepare((std::string("SELECT ") + kMessageColumns + MESSAGE_FROM " WHERE m.chat_id = ? AND m.seq = ?").c_str());
    stmt.bind(1, chat_id).bind(2, seq);
    if (!stmt.step()) return std::nullopt;
    return read_message(stmt, now);
}

// Runs `sql`, an UPDATE moving one participant's mark up to a seq (binds: seq, chat,
// user, seq); the new mark, or nullopt when it was there already.
std::optional<Seq> advance_mark(Connection& db, const char* sql, const std::string& chat_id,
                                const std::string& user_id, Seq seq) {
    auto stmt = db.prepare(sql);
    stmt.bind(1, seq).bind(2, chat_id).bind(3, user_id).bind(4, seq).run();
    if (stmt.changes() == 0) return std::nullopt;
    return seq;
}

std::vector<std::string> ids_of(const Chat& chat) {
    std::vector<std::string> ids;
    for (const auto& p : chat.participants) ids.push_back(p.user_id);
    return ids;
}

}  // namespace

std::optional<Chat> SqlChatStore::find_chat(const std::string& chat_id) {
    return db_.with([&](Connection& db) { return load_chat(db, chat_id); });
}

std::optional<Seq> SqlChatStore::joined_seq(const std::string& chat_id, const std::string& user_id) {
    return db_.with([&](Connection& db) -> std::optional<Seq> {
        auto stmt = db.prepare("SELECT joined_seq FROM participants WHERE chat_id = ? AND user_id = ?");
        stmt.bind(1, chat_id).bind(2, user_id);
        if (!stmt.step()) return std::nullopt;
        return stmt.integer(0);
    });
}

std::pair<Chat, bool> SqlChatStore::find_or_create_direct(const Chat& proposed) {
    return db_.transaction([&](Connection& db) -> std::pair<Chat, bool> {
        const auto key = direct_key(proposed);
        // Whoever inserts the pair's key first creates the chat; on another node at the
        // same moment, the loser waits for that commit and finds it.
        auto claim = db.prepare(
            "INSERT INTO chats (id, type, name, image_id, created_at, active_at, last_seq, direct_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (direct_key) DO NOTHING");
        claim.bind(1, proposed.id)
            .bind(2, to_string(proposed.type))
            .bind(3, proposed.name)
            .bind(4, proposed.image_id)
            .bind(5, proposed.created_at)
            .bind(6, proposed.active_at)
            .bind(7, proposed.last_seq)
            .bind(8, key)
            .run();
        if (claim.changes() == 1) {
            claim.reset();
            for (const auto& p : proposed.participants) insert_participant(db, proposed.id, p);
            return {*load_chat(db, proposed.id), true};  // with its members' blocks
        }
        claim.reset();
        auto stmt = db.prepare("SELECT id FROM chats WHERE direct_key = ?");
        stmt.bind(1, key);
        if (!stmt.step()) throw Failure("a direct chat's key is taken but its chat is not there");
        const auto id = stmt.text(0);
        stmt.reset();
        return {*load_chat(db, id), false};
    });
}

void SqlChatStore::create_group(const Chat& chat) {
    db_.transaction([&](Connection& db) { insert_group(db, chat); });
}

Result<Chat> SqlChatStore::modify_chat(const std::string& chat_id,
                                          const std::function<Status(Chat&)>& change) {
    return db_.transaction([&](Connection& db) -> Result<Chat> {
        auto before = load_chat(db, chat_id, true);
        if (!before) return Error::not_found("no such chat");
        Chat after = *before;
        if (auto allowed = change(after); !allowed) return std::move(allowed).error();
        db.prepare("UPDATE chats SET name = ?, image_id = ? WHERE id = ?")
            .bind(1, after.name)
            .bind(2, after.image_id)
            .bind(3, chat_id)
            .run();
        save_participants(db, *before, after);
        return after;
    });
}

std::vector<ChatView> SqlChatStore::list_chats(const std::string& user_id, bool with_archived) {
    const TimeMs now = clock_.now_ms();
    return db_.with([&](Connection& db) {
        std::vector<std::string> ids;
        auto stmt = db.prepare(
            "SELECT c.id FROM participants p JOIN chats c ON c.id = p.chat_id WHERE p.user_id = ? "
            "AND (? = 1 OR p.archived = 0) "
            "ORDER BY CASE WHEN p.pinned_at IS NULL THEN 1 ELSE 0 END, p.pinned_at DESC, c.active_at DESC, c.id DESC");
        stmt.bind(1, user_id).bind(2, std::int64_t{with_archived});
        while (stmt.step()) ids.push_back(stmt.text(0));
        stmt.reset();
        std::vector<ChatView> views;
        for (const auto& id : ids)
            if (auto chat = load_chat(db, id); chat && !is_request_from_blocked(*chat, user_id))
                views.push_back(view_of(db, *chat, user_id, now));
        return views;
    });
}

ChatView SqlChatStore::view_chat(const Chat& chat, const std::string& user_id) {
    return db_.with([&](Connection& db) { return view_of(db, chat, user_id, clock_.now_ms()); });
}

Status SqlChatStore::change_settings(const std::string& chat_id, const std::string& user_id,
                                     const ChatSettingsChange& change, TimeMs now) {
    return db_.transaction([&](Connection& db) -> Status {
        // One person's pins change one request at a time, so that two cannot pass the cap together.
        db.prepare("SELECT id FROM users WHERE id = ? FOR UPDATE").bind(1, user_id).run();
        auto own = db.prepare("SELECT pinned_at FROM participants WHERE chat_id = ? AND user_id = ?");
        own.bind(1, chat_id).bind(2, user_id);
        if (!own.step()) return Error::not_found("no such chat");
        const bool pinned = own.optional_integer(0).has_value();
        own.reset();
        if (change.pinned == true && !pinned) {
            auto count = db.prepare("SELECT count(*) FROM participants WHERE user_id = ? AND pinned_at IS NOT NULL");
            count.bind(1, user_id).step();
            if (count.integer(0) >= kMaxPinnedChats)
                return Error::conflict("too_many_pinned",
                                       "at most " + std::to_string(kMaxPinnedChats) + " chats can be pinned");
        }
        if (change.pinned && *change.pinned != pinned) {
            db.prepare("UPDATE participants SET pinned_at = ? WHERE chat_id = ? AND user_id = ?")
                .bind(1, *change.pinned ? std::optional<TimeMs>(now) : std::nullopt)
                .bind(2, chat_id)
                .bind(3, user_id)
                .run();
        }
        if (change.archived) {
            db.prepare("UPDATE participants SET archived = ? WHERE chat_id = ? AND user_id = ?")
                .bind(1, std::int64_t{*change.archived})
                .bind(2, chat_id)
                .bind(3, user_id)
                .run();
        }
        return Ok{};
    });
}

bool SqlChatStore::set_muted_until(const std::string& chat_id, const std::string& user_id,
                                   std::optional<TimeMs> until) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("UPDATE participants SET muted_until = ? WHERE chat_id = ? AND user_id = ?");
        stmt.bind(1, until).bind(2, chat_id).bind(3, user_id).run();
        return stmt.changes() == 1;
    });
}

ChatStore::PushState SqlChatStore::push_state(const std::string& chat_id, const std::string& user_id) {
    return db_.with([&](Connection& db) {
        PushState state;
        auto muted = db.prepare("SELECT muted_until FROM participants WHERE chat_id = ? AND user_id = ?");
        muted.bind(1, chat_id).bind(2, user_id);
        if (!muted.step()) return state;
        state.member = true;
        state.muted_until = muted.optional_integer(0);
        muted.reset();
        auto unread = db.prepare(
            (std::string("SELECT count(*) FROM participants p JOIN messages m ON m.chat_id = p.chat_id "
                         "WHERE p.user_id = ? AND m.seq > p.read_seq AND m.seq >= p.joined_seq "
                         "AND m.sender_id != p.user_id AND m.deleted = 0") + kNotHidden)
                .c_str());
        unread.bind(1, user_id).bind(2, user_id);
        if (unread.step()) state.unread_total = unread.integer(0);
        return state;
    });
}

std::vector<std::string> SqlChatStore::contacts_of(const std::string& user_id) {
    return db_.with([&](Connection& db) {
        std::vector<std::string> ids;
        // One direct chat per pair (its direct_key), so each contact comes once.
        auto stmt = db.prepare("SELECT cb.user_id FROM " CONTACT_PAIRS "WHERE ca.user_id = ?");
        stmt.bind(1, user_id);
        while (stmt.step()) ids.push_back(stmt.text(0));
        return ids;
    });
}

bool SqlChatStore::are_contacts(const std::string& user_id, const std::string& other_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("SELECT 1 FROM " CONTACT_PAIRS "WHERE ca.user_id = ? AND cb.user_id = ?");
        stmt.bind(1, user_id).bind(2, other_id);
        return stmt.step();
    });
}

namespace {

// Appends `stored` to `chat` (loaded for update in the transaction `db` is in) as its
// next seq, and moves the chat on; see ChatStore::append_message.
Appended append_to(Connection& db, Chat& chat, Message stored, TimeMs now) {
    stored.seq = chat.last_seq + 1;
    if (chat.disappearing_ms > 0 && stored.type != MessageType::system)
        stored.expires_at = stored.created_at + chat.disappearing_ms;
    // A retry (the same sender and client_id) inserts nothing, and gets the earlier one.
    auto insert = db.prepare("INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, "
                             "media_id, reply_to, created_at, origin_session, forwarded, mentions, expires_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT (chat_id, sender_id, client_id) DO NOTHING");
    insert.bind(1, stored.id)
        .bind(2, stored.chat_id)
        .bind(3, stored.seq)
        .bind(4, stored.sender_id)
        .bind(5, stored.client_id)
        .bind(6, to_string(stored.type))
        .bind(7, stored.text)
        .bind(8, stored.media_id)
        .bind(9, stored.reply_to)
        .bind(10, stored.created_at)
        .bind(11, stored.origin_session)
        .bind(12, std::int64_t{stored.forwarded})
        .bind(13, join_ids(stored.mentions))
        .bind(14, stored.expires_at)
        .run();
    if (insert.changes() == 0) {
        insert.reset();
        auto earlier = db.prepare((std::string("SELECT ") + kMessageColumns +
                                   MESSAGE_FROM " WHERE m.chat_id = ? AND m.sender_id = ? "
                                   "AND m.client_id = ?")
                                      .c_str());
        earlier.bind(1, stored.chat_id).bind(2, stored.sender_id).bind(3, stored.client_id);
        if (!earlier.step()) throw Failure("a message conflicted with none");
        Appended again{read_message(earlier, now), false, reachable_from(chat, stored.sender_id, ids_of(chat)),
                       std::nullopt};
        earlier.reset();
        attach_reactions(db, std::span(&again.message, 1));
        return again;
    }
    insert.reset();
    db.prepare("UPDATE chats SET last_seq = ?, active_at = ? WHERE id = ?")
        .bind(1, stored.seq)
        .bind(2, stored.created_at)
        .bind(3, stored.chat_id)
        .run();
    chat.last_seq = stored.seq;
    chat.active_at = stored.created_at;
    // Blocked by the other member: stored for the sender alone (see blocked_between).
    if (const auto blocker = blocker_of(chat, stored.sender_id))
        db.prepare("INSERT INTO hidden_messages (user_id, message_id, chat_id) VALUES (?, ?, ?)")
            .bind(1, *blocker)
            .bind(2, stored.id)
            .bind(3, stored.chat_id)
            .run();
    const auto sender_id = stored.sender_id;
    Appended appended{std::move(stored), true, reachable_from(chat, sender_id, ids_of(chat)), std::nullopt};
    // Replying to a message request accepts it (the server's own notes do not).
    if (appended.message.type != MessageType::system && take_part(chat, sender_id)) {
        db.prepare("UPDATE participants SET took_part = 1 WHERE chat_id = ? AND user_id = ?")
            .bind(1, chat.id)
            .bind(2, sender_id)
            .run();
        appended.request_ended = chat;
    }
    return appended;
}

// Appends `message` in the transaction `db` is in: see ChatStore::append_message.
Result<Appended> append_in(Connection& db, const Message& message, const ChatStore::AppendCheck& check, TimeMs now) {
    auto chat = load_chat(db, message.chat_id, true);
    if (!chat) return Error::not_found("no such chat");
    std::optional<Message> reply_target;
    if (message.reply_to) reply_target = message_by_id(db, message.chat_id, *message.reply_to, now);
    if (message.reply_to_seq) reply_target = message_by_seq(db, message.chat_id, *message.reply_to_seq, now);
    if (auto allowed = check(*chat, reply_target); !allowed) return std::move(allowed).error();

    Message stored = message;
    if (reply_target) {
        stored.reply_to = reply_target->id;
        stored.reply_preview = reply_preview_of(*reply_target);
    }
    return append_to(db, *chat, std::move(stored), now);
}

}  // namespace

Result<Appended> SqlChatStore::append_message(const Message& message, const AppendCheck& check) {
    const TimeMs now = clock_.now_ms();
    return db_.transaction([&](Connection& db) { return append_in(db, message, check, now); });
}

void SqlChatStore::append_message(Message message, AppendCheck check, AppendDone done) {
    auto result = std::make_shared<std::optional<Result<Appended>>>();
    db_.submit(
        [result, message = std::move(message), check = std::move(check), now = clock_.now_ms()](Connection& db) {
            result->emplace(append_in(db, message, check, now));
        },
        [result, done = std::move(done)](std::exception_ptr error) {
            if (!error) return done(std::move(**result));
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                spdlog::error("appending a message failed: {}", e.what());
            } catch (...) {
                spdlog::error("appending a message failed");
            }
            done(Error::internal("the server failed to store the message; try again"));
        });
}

Result<std::vector<Appended>> SqlChatStore::forward(const ForwardOrder& order, const ForwardCheck& check,
                                                    const ForwardCopy& copy) {
    const TimeMs now = clock_.now_ms();
    return db_.transaction([&](Connection& db) -> Result<std::vector<Appended>> {
        auto from = load_chat(db, order.from_chat_id);
        if (!from) return Error::not_found("no such chat");
        std::vector<Message> originals;
        for (const auto& id : order.message_ids) {
            auto original = message_by_id(db, order.from_chat_id, id, now);
            auto hidden = db.prepare("SELECT 1 FROM hidden_messages WHERE user_id = ? AND message_id = ?");
            hidden.bind(1, order.user_id).bind(2, id);
            if (!original || hidden.step()) return Error::not_found("no such message: " + id);
            originals.push_back(std::move(*original));
        }
        std::sort(originals.begin(), originals.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
        // The targets locked in one order (their ids'), whatever order they were named in,
        // so that two forwards into the same chats never wait for each other in a circle.
        auto by_id = order.to_chat_ids;
        std::sort(by_id.begin(), by_id.end());
        std::vector<Chat> locked;
        for (const auto& id : by_id) {
            auto chat = load_chat(db, id, true);
            if (!chat) return Error::not_found("no such chat: " + id);
            locked.push_back(std::move(*chat));
        }
        std::vector<Chat*> targets;
        for (const auto& id : order.to_chat_ids)
            targets.push_back(&*std::find_if(locked.begin(), locked.end(), [&](const Chat& c) { return c.id == id; }));
        std::vector<Chat> seen_targets;
        for (const auto* target : targets) seen_targets.push_back(*target);
        if (auto allowed = check(*from, originals, seen_targets); !allowed) return std::move(allowed).error();
        // Nothing is written before every check has passed: a refusal changes nothing.
        std::vector<Appended> appended;
        for (auto* target : targets)
            for (const auto& original : originals)
                appended.push_back(append_to(db, *target, copy(original, *target), now));
        return appended;
    });
}

Result<DisappearingSet> SqlChatStore::set_disappearing(const std::string& chat_id, std::int64_t seconds,
                                                       TimeMs lifetime_ms, const Message& notice,
                                                       const std::function<Status(const Chat&)>& check) {
    return db_.transaction([&](Connection& db) -> Result<DisappearingSet> {
        auto chat = load_chat(db, chat_id, true);
        if (!chat) return Error::not_found("no such chat");
        if (auto allowed = check(*chat); !allowed) return std::move(allowed).error();
        if (chat->disappearing_seconds == seconds && chat->disappearing_ms == lifetime_ms)
            return DisappearingSet{std::move(*chat), std::nullopt};
        db.prepare("UPDATE chats SET disappearing_seconds = ?, disappearing_ms = ? WHERE id = ?")
            .bind(1, seconds)
            .bind(2, lifetime_ms)
            .bind(3, chat_id)
            .run();
        chat->disappearing_seconds = seconds;
        chat->disappearing_ms = lifetime_ms;
        auto appended = append_to(db, *chat, notice, clock_.now_ms());
        return DisappearingSet{std::move(*chat), std::move(appended)};
    });
}

namespace {

// Erases a message for everyone (a delete, or its expiry): its text, media and reactions
// go, its row and seq stay. False when it was erased already.
bool erase_message(Connection& db, const std::string& chat_id, const std::string& message_id, Seq seq) {
    auto erase = db.prepare("UPDATE messages SET text = '', media_id = NULL, deleted = 1 WHERE id = ? AND deleted = 0");
    erase.bind(1, message_id).run();
    if (erase.changes() == 0) return false;
    erase.reset();
    db.prepare("DELETE FROM reactions WHERE chat_id = ? AND seq = ?").bind(1, chat_id).bind(2, seq).run();
    return true;
}

}  // namespace

std::vector<ExpiredMessage> SqlChatStore::expire_messages(TimeMs now, int limit) {
    return db_.transaction([&](Connection& db) {
        // The rows locked in one order (PostgreSQL): a second sweep at the same moment
        // waits for this one's commit, then finds them erased (deleted = 1, checked
        // again on the locked row) and passes them over.
        std::vector<ExpiredMessage> due;
        auto select = db.prepare(
            "SELECT id, chat_id, seq, media_id FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ? "
            "AND deleted = 0 ORDER BY expires_at, id LIMIT ? FOR UPDATE");
        select.bind(1, now).bind(2, std::int64_t{limit});
        while (select.step()) due.push_back({select.text(1), select.text(0), select.integer(2), select.optional_text(3)});
        select.reset();
        std::vector<ExpiredMessage> expired;
        for (auto& message : due)
            if (erase_message(db, message.chat_id, message.message_id, message.seq)) expired.push_back(std::move(message));
        return expired;
    });
}

std::optional<Message> SqlChatStore::find_message(const std::string& chat_id,
                                                     const std::string& message_id) {
    const TimeMs now = clock_.now_ms();
    return db_.with([&](Connection& db) {
        auto message = message_by_id(db, chat_id, message_id, now);
        if (message) attach_reactions(db, std::span(&*message, 1));
        return message;
    });
}

std::vector<Message> SqlChatStore::history(const std::string& chat_id,
                                              const std::string& user_id, Seq from_seq,
                                              const HistoryPage& page) {
    const TimeMs now = clock_.now_ms();
    return db_.with([&](Connection& db) {
        const std::string base = std::string("SELECT ") + kMessageColumns +
                                 MESSAGE_FROM " WHERE m.chat_id = ? AND m.seq >= ?" + kNotHidden + kNotExpired;
        if (page.after) {
            auto stmt = db.prepare((base + " AND m.seq > ? ORDER BY m.seq LIMIT ?").c_str());
            stmt.bind(1, chat_id).bind(2, from_seq).bind(3, user_id).bind(4, now).bind(5, *page.after)
                .bind(6, std::int64_t{page.limit});
            return read_messages(db, stmt, now);
        }
        auto stmt = db.prepare((base + " AND m.seq < ? ORDER BY m.seq DESC LIMIT ?").c_str());
        stmt.bind(1, chat_id).bind(2, from_seq).bind(3, user_id).bind(4, now)
            .bind(5, page.before.value_or(std::numeric_limits<Seq>::max()))
            .bind(6, std::int64_t{page.limit});
        auto newest_first = read_messages(db, stmt, now);
        std::reverse(newest_first.begin(), newest_first.end());
        return newest_first;
    });
}

std::vector<Message> SqlChatStore::media(const std::string& chat_id, const std::string& user_id,
                                            Seq from_seq, std::optional<MessageType> type,
                                            std::optional<Seq> before, int limit) {
    const TimeMs now = clock_.now_ms();
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare((std::string("SELECT ") + kMessageColumns +
                                MESSAGE_FROM " WHERE m.chat_id = ? AND m.seq >= ?" + kNotHidden + kNotExpired +
                                " AND m.media_id IS NOT NULL AND (? = '' OR m.type = ?) AND m.seq < ? "
                                "ORDER BY m.seq DESC LIMIT ?")
                                   .c_str());
        const std::string type_name = type ? std::string(to_string(*type)) : std::string();
        stmt.bind(1, chat_id).bind(2, from_seq).bind(3, user_id).bind(4, now).bind(5, type_name)
            .bind(6, type_name)
            .bind(7, before.value_or(std::numeric_limits<Seq>::max()))
            .bind(8, std::int64_t{limit});
        return read_messages(db, stmt, now);
    });
}

Result<Message> SqlChatStore::delete_for_everyone(
    const std::string& chat_id, const std::string& message_id,
    const std::function<Status(const Message&)>& check) {
    const TimeMs now = clock_.now_ms();
    return db_.transaction([&](Connection& db) -> Result<Message> {
        auto message = message_by_id(db, chat_id, message_id, now);
        if (!message) return Error::not_found("no such message");
        if (auto allowed = check(*message); !allowed) return std::move(allowed).error();
        erase_message(db, chat_id, message_id, message->seq);
        message->text.clear();
        message->media_id.reset();
        message->deleted = true;
        return *message;
    });
}

Result<Message> SqlChatStore::edit_message(const std::string& chat_id, const std::string& message_id,
                                           const std::string& text, TimeMs edited_at,
                                           const std::function<Status(const Message&)>& check) {
    const TimeMs now = clock_.now_ms();
    return db_.transaction([&](Connection& db) -> Result<Message> {
        auto message = message_by_id(db, chat_id, message_id, now);
        if (!message) return Error::not_found("no such message");
        if (auto allowed = check(*message); !allowed) return std::move(allowed).error();
        // Not a message deleted for everyone since it was read: its text stays erased.
        auto update = db.prepare("UPDATE messages SET text = ?, edited_at = ? WHERE id = ? AND deleted = 0");
        update.bind(1, text).bind(2, edited_at).bind(3, message_id).run();
        if (update.changes() == 0) return Error::conflict("message_deleted", "the message was deleted for everyone");
        message->text = text;
        message->edited_at = edited_at;
        attach_reactions(db, std::span(&*message, 1));
        return *message;
    });
}

Result<ReactionSet> SqlChatStore::set_reaction(const std::string& chat_id, const std::string& message_id,
                                               const std::string& user_id, const std::optional<std::string>& emoji,
                                               TimeMs now, const std::function<Status(const Message&)>& check) {
    return db_.transaction([&](Connection& db) -> Result<ReactionSet> {
        // The message's row locked first: a delete for everyone, which takes the reactions
        // away, comes wholly before or after.
        auto lock = db.prepare("SELECT seq FROM messages WHERE id = ? AND chat_id = ? FOR UPDATE");
        lock.bind(1, message_id).bind(2, chat_id);
        if (!lock.step()) return Error::not_found("no such message");
        lock.reset();
        auto message = message_by_id(db, chat_id, message_id, now);
        if (!message) return Error::not_found("no such message");
        if (auto allowed = check(*message); !allowed) return std::move(allowed).error();
        bool changed = false;
        if (emoji) {
            auto set = db.prepare(
                "INSERT INTO reactions (chat_id, seq, user_id, emoji, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id, seq, user_id) DO UPDATE SET emoji = excluded.emoji, created_at = excluded.created_at "
                "WHERE reactions.emoji != excluded.emoji");
            set.bind(1, chat_id).bind(2, message->seq).bind(3, user_id).bind(4, *emoji).bind(5, now).run();
            changed = set.changes() > 0;
        } else {
            auto unset = db.prepare("DELETE FROM reactions WHERE chat_id = ? AND seq = ? AND user_id = ?");
            unset.bind(1, chat_id).bind(2, message->seq).bind(3, user_id).run();
            changed = unset.changes() > 0;
        }
        attach_reactions(db, std::span(&*message, 1));
        return ReactionSet{std::move(*message), changed};
    });
}

void SqlChatStore::hide_message(const std::string& user_id, const Message& message) {
    db_.with([&](Connection& db) {
        db.prepare("INSERT INTO hidden_messages (user_id, message_id, chat_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(1, user_id)
            .bind(2, message.id)
            .bind(3, message.chat_id)
            .run();
    });
}

std::optional<Seq> SqlChatStore::mark_read(const std::string& chat_id, const std::string& user_id,
                                              Seq seq) {
    return db_.with([&](Connection& db) {
        return advance_mark(db, "UPDATE participants SET read_seq = ? WHERE chat_id = ? AND user_id = ? "
                                "AND read_seq < ?", chat_id, user_id, seq);
    });
}

std::optional<Seq> SqlChatStore::mark_delivered(const std::string& session_id,
                                                   const std::string& chat_id,
                                                   const std::string& user_id, Seq seq) {
    return db_.transaction([&](Connection& db) -> std::optional<Seq> {
        db.prepare("INSERT INTO device_cursors (session_id, chat_id, delivered_seq) VALUES (?, ?, ?) "
                   "ON CONFLICT (session_id, chat_id) DO UPDATE SET delivered_seq = excluded.delivered_seq "
                   "WHERE excluded.delivered_seq > device_cursors.delivered_seq")
            .bind(1, session_id)
            .bind(2, chat_id)
            .bind(3, seq)
            .run();
        return advance_mark(db, "UPDATE participants SET delivered_seq = ? WHERE chat_id = ? AND user_id = ? "
                                "AND delivered_seq < ?", chat_id, user_id, seq);
    });
}

std::vector<DeliveryCursor> SqlChatStore::delivery_cursors(const std::string& session_id,
                                                              const std::string& user_id) {
    return db_.with([&](Connection& db) {
        std::vector<DeliveryCursor> cursors;
        auto stmt = db.prepare(
            "SELECT c.id, " DEVICE_DONE " AS done, c.last_seq "
            "FROM participants p JOIN chats c ON c.id = p.chat_id "
            "LEFT JOIN device_cursors d ON d.session_id = ? AND d.chat_id = c.id "
            "WHERE p.user_id = ?");
        stmt.bind(1, session_id).bind(2, user_id);
        while (stmt.step()) cursors.push_back({stmt.text(0), stmt.integer(1), stmt.integer(2)});
        return cursors;
    });
}

std::optional<Seq> SqlChatStore::delivered(const std::string& session_id, const std::string& chat_id,
                                              const std::string& user_id) {
    return db_.with([&](Connection& db) -> std::optional<Seq> {
        auto stmt = db.prepare(
            "SELECT " DEVICE_DONE " FROM participants p "
            "LEFT JOIN device_cursors d ON d.session_id = ? AND d.chat_id = p.chat_id "
            "WHERE p.chat_id = ? AND p.user_id = ?");
        stmt.bind(1, session_id).bind(2, chat_id).bind(3, user_id);
        if (!stmt.step()) return std::nullopt;
        return stmt.integer(0);
    });
}

// The message rows of this file, for the search beside it (sql_message_search.cpp).
const char* message_columns() { return kMessageColumns; }
std::vector<Message> read_message_rows(Connection& db, Statement& stmt, TimeMs now) {
    return read_messages(db, stmt, now);
}

}  // namespace flow::sql
