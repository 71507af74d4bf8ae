#pragma once

#include "common/clock.hpp"
#include "storage/chat_store.hpp"
#include "storage/sql/database.hpp"

// A FROM clause of pairs of contacts (makes_contacts in domain/chat.hpp): `ca.user_id` and
// `cb.user_id` share a direct chat that both took part in, and neither blocks the other.
// Filter on ca.user_id (and cb.user_id) with a WHERE.
#define CONTACT_PAIRS                                                                         \
    "participants ca JOIN chats cc ON cc.id = ca.chat_id AND cc.type = 'direct' AND ca.took_part = 1 " \
    "JOIN participants cb ON cb.chat_id = ca.chat_id AND cb.user_id != ca.user_id AND cb.took_part = 1 " \
    "AND NOT EXISTS (SELECT 1 FROM blocks bk WHERE (bk.blocker_id = ca.user_id AND bk.blocked_id = cb.user_id) " \
    "OR (bk.blocker_id = cb.user_id AND bk.blocked_id = ca.user_id)) "

namespace flow::sql {

// ChatStore in SQL, on either engine. Thread-safe through its Database.
class SqlChatStore final : public ChatStore {
public:
    // `clock` tells which messages have expired (is_expired) and are read no more.
    explicit SqlChatStore(Database& db, const Clock& clock = wall_clock_)
        : db_(db), clock_(clock), fts5_(db.engine() == "sqlite") {}

    std::optional<Chat> find_chat(const std::string& chat_id) override;
    std::optional<Seq> joined_seq(const std::string& chat_id, const std::string& user_id) override;
    std::pair<Chat, bool> find_or_create_direct(const Chat& proposed) override;
    void create_group(const Chat& chat) override;
    Result<Chat> modify_chat(const std::string& chat_id,
                             const std::function<Status(Chat&)>& change) override;
    Result<DisappearingSet> set_disappearing(const std::string& chat_id, std::int64_t seconds, TimeMs lifetime_ms,
                                             const Message& notice,
                                             const std::function<Status(const Chat&)>& check) override;
    std::vector<ExpiredMessage> expire_messages(TimeMs now, int limit) override;
    std::vector<ChatView> list_chats(const std::string& user_id, bool with_archived) override;
    Status change_settings(const std::string& chat_id, const std::string& user_id,
                           const ChatSettingsChange& change, TimeMs now) override;
    ChatView view_chat(const Chat& chat, const std::string& user_id) override;
    bool set_muted_until(const std::string& chat_id, const std::string& user_id,
                         std::optional<TimeMs> until) override;
    PushState push_state(const std::string& chat_id, const std::string& user_id) override;
    std::vector<std::string> contacts_of(const std::string& user_id) override;
    bool are_contacts(const std::string& user_id, const std::string& other_id) override;

    Result<Appended> append_message(const Message& message, const AppendCheck& check) override;
    void append_message(Message message, AppendCheck check, AppendDone done) override;
    bool appends_in_background() const override { return db_.submits_in_background(); }
    Result<std::vector<Appended>> forward(const ForwardOrder& order, const ForwardCheck& check,
                                          const ForwardCopy& copy) override;
    std::optional<Message> find_message(const std::string& chat_id,
                                        const std::string& message_id) override;
    std::vector<Message> history(const std::string& chat_id, const std::string& user_id,
                                 Seq from_seq, const HistoryPage& page) override;
    std::vector<Message> media(const std::string& chat_id, const std::string& user_id,
                               Seq from_seq, std::optional<MessageType> type,
                               std::optional<Seq> before, int limit) override;
    Result<Message> delete_for_everyone(const std::string& chat_id, const std::string& message_id,
                                        const std::function<Status(const Message&)>& check) override;
    Result<Message> edit_message(const std::string& chat_id, const std::string& message_id,
                                 const std::string& text, TimeMs edited_at,
                                 const std::function<Status(const Message&)>& check) override;
    Result<ReactionSet> set_reaction(const std::string& chat_id, const std::string& message_id,
                                     const std::string& user_id, const std::optional<std::string>& emoji, TimeMs now,
                                     const std::function<Status(const Message&)>& check) override;
    void hide_message(const std::string& user_id, const Message& message) override;
    Result<FoundMessages> search_messages(const MessageSearch& search) override;

    std::optional<Seq> mark_read(const std::string& chat_id, const std::string& user_id,
                                 Seq seq) override;
    std::optional<Seq> mark_delivered(const std::string& session_id, const std::string& chat_id,
                                      const std::string& user_id, Seq seq) override;
    std::vector<DeliveryCursor> delivery_cursors(const std::string& session_id,
                                            const std::string& user_id) override;
    std::optional<Seq> delivered(const std::string& session_id, const std::string& chat_id,
                  const std::string& user_id) override;

private:
    inline static const SystemClock wall_clock_{};

    Database& db_;
    const Clock& clock_;
    // Full-text search is the one thing the engines do in different SQL: SQLite's FTS5
    // or PostgreSQL's text search (schema version 11, sql_message_search.cpp).
    bool fts5_;
};

}  // namespace flow::sql
