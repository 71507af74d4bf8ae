#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/chat.hpp"
#include "domain/message.hpp"

namespace flow {

// Which part of a chat's history to read: the newest page, or the page just before or
// just after a seq. Pages come back in ascending seq.
struct HistoryPage {
    std::optional<Seq> before;
    std::optional<Seq> after;
    int limit = 50;
};

// A message appended, or the one a retry with the same client_id had appended before.
struct Appended {
    Message message;
    bool created = false;
    // Who is in the chat now and hears of the message: not a member who blocked its sender.
    std::vector<std::string> participant_ids;
    // The chat as it is now, when this message ended a message request for its sender
    // (they took part by sending it: see take_part in domain/chat.hpp).
    std::optional<Chat> request_ended;
};

// A message after a reaction was set or taken back, and whether that changed anything.
struct ReactionSet {
    Message message;
    bool changed = false;
};

// Messages of one chat that a user forwards into other chats.
struct ForwardOrder {
    std::string from_chat_id;
    std::vector<std::string> message_ids;  // distinct
    std::vector<std::string> to_chat_ids;  // distinct
    std::string user_id;
};

// How far one device has received a chat, and how far the chat goes.
struct DeliveryCursor {
    std::string chat_id;
    Seq delivered = 0;
    Seq last = 0;
};

// A search of the messages a user can see: those with every word of `words` (whole
// words, case and accents aside), in one chat of theirs or all of them, older than a
// cursor from an earlier page.
struct MessageSearch {
    std::string user_id;
    std::string words;
    std::optional<std::string> chat_id;
    std::optional<std::string> before;  // the next_before of the page before
    int limit = 50;
};

// A page of found messages, newest first, and the cursor of the next older page, if any.
// The cursor is the store's own (opaque to clients).
struct FoundMessages {
    std::vector<Message> items;
    std::optional<std::string> next_before;
};

// A chat after its disappearing messages were set, and the system message that records
// the change (none when the chat had that setting already: nothing changed).
struct DisappearingSet {
    Chat chat;
    std::optional<Appended> notice;
};

// A message the expiry sweep erased, for telling its chat's members, and its media (if
// it had one) to remove unless something else uses it.
struct ExpiredMessage {
    std::string chat_id;
    std::string message_id;
    Seq seq = 0;
    std::optional<std::string> media_id;
};

// Chats, their members and messages, and how far each device and user has got in them.
// Every call is atomic, and a write is durable when it returns. Reads of history return
// only what the user may see: messages from their joining on, less those they hid and
// those expired by the store's clock (is_expired: whether swept yet or not). The
// messages they return carry their reactions (a page's read in one query).
// Thread-safe; may block.
class ChatStore {
public:
    virtual ~ChatStore() = default;

    virtual std::optional<Chat> find_chat(const std::string& chat_id) = 0;
    // The first seq a member may see (where they joined); nullopt when not a member.
    virtual std::optional<Seq> joined_seq(const std::string& chat_id, const std::string& user_id) = 0;
    // The direct chat of the two participants of `proposed`, creating it as proposed when
    // there is none. The bool says whether it was created.
    virtual std::pair<Chat, bool> find_or_create_direct(const Chat& proposed) = 0;
    virtual void create_group(const Chat& chat) = 0;
    // Loads the chat, lets `change` check and change it (name, image, members, roles and
    // who took part), and stores the result; all atomically, so concurrent changes cannot interleave. not_found for no such chat.
    virtual Result<Chat> modify_chat(const std::string& chat_id,
                                     const std::function<Status(Chat&)>& change) = 0;
    // Sets the chat's disappearing_seconds and disappearing_ms (how long its messages
    // live: the period, or less in tests), after `check` allowed it on the chat as it is,
    // and appends `notice` (a system message) as append_message would, in one commit;
    // when the chat has that setting already, changes and appends nothing. Messages
    // appended after it, system messages excepted, carry expires_at = created_at +
    // disappearing_ms. not_found for no such chat.
    virtual Result<DisappearingSet> set_disappearing(const std::string& chat_id, std::int64_t seconds,
                                                     TimeMs lifetime_ms, const Message& notice,
                                                     const std::function<Status(const Chat&)>& check) = 0;
    // Erases up to `limit` messages whose expires_at is `now` or earlier and that are
    // not erased yet (text, media and reactions, as a delete for everyone does, and
    // `deleted`), oldest expiry first, and returns them. Each message is erased once: of
    // two calls at the same time, on one node or two, only one returns it.
    virtual std::vector<ExpiredMessage> expire_messages(TimeMs now, int limit) = 0;
    // The user's chats with last visible message and unread count: pinned ones first (the
    // latest pinned on top), then newest activity first; archived ones only `with_archived`.
    virtual std::vector<ChatView> list_chats(const std::string& user_id, bool with_archived) = 0;
    virtual ChatView view_chat(const Chat& chat, const std::string& user_id) = 0;
    // Mutes the chat for the member until then (kMutedForever, or nullopt to unmute);
    // false when `user_id` is not a member.
    virtual bool set_muted_until(const std::string& chat_id, const std::string& user_id,
                                 std::optional<TimeMs> until) = 0;
    // Pins, unpins, archives or unarchives the chat for the member, all or nothing:
    // not_found when `user_id` is not a member, too_many_pinned past kMaxPinnedChats.
    virtual Status change_settings(const std::string& chat_id, const std::string& user_id,
                                   const ChatSettingsChange& change, TimeMs now) = 0;
    // What a push to a member says and whether it goes: until when they muted the chat,
    // and their unread messages in all their chats (a badge).
    struct PushState {
        bool member = false;  // false: the rest says nothing
        std::optional<TimeMs> muted_until;
        std::int64_t unread_total = 0;
    };
    virtual PushState push_state(const std::string& chat_id, const std::string& user_id) = 0;
    // The user's contacts: the users with whom they share a direct chat that both took
    // part in (makes_contacts in domain/chat.hpp). Sharing a group makes no contacts.
    virtual std::vector<std::string> contacts_of(const std::string& user_id) = 0;
    // Whether the two users are contacts.
    virtual bool are_contacts(const std::string& user_id, const std::string& other_id) = 0;

    // Appends `message` as the chat's next seq (filling in seq), or returns the earlier one
    // with the same (sender, client_id). `check` runs inside the transaction on the chat as
    // it is and the message `reply_to` names (nullopt when none or not in this chat), and
    // may refuse. A sender for whom the chat was a message request takes part in it with
    // the same commit. not_found for no such chat.
    using AppendCheck = std::function<Status(const Chat&, const std::optional<Message>& reply_target)>;
    virtual Result<Appended> append_message(const Message& message, const AppendCheck& check) = 0;
    // The same without waiting: `done` hears the result once the message is durable (or
    // refused), maybe on a thread of storage's, so it must not wait on storage. Messages
    // appended one after another by one thread are committed, and heard of, in that order.
    using AppendDone = std::function<void(Result<Appended>)>;
    virtual void append_message(Message message, AppendCheck check, AppendDone done) = 0;
    // Whether that returns at once, before storage is touched.
    virtual bool appends_in_background() const = 0;
    // Forwards, all or nothing: reads the messages (not_found for one the chat lacks or the
    // user hid) and the target chats (not_found for no such chat), lets `check` refuse on
    // them as they are (the messages in seq order, the targets as named), then appends
    // `copy` of each message, in seq order, to each target, as append_message would.
    // The appended messages, target by target.
    using ForwardCheck = std::function<Status(const Chat& from, const std::vector<Message>& messages,
                                              const std::vector<Chat>& targets)>;
    using ForwardCopy = std::function<Message(const Message& original, const Chat& target)>;
    virtual Result<std::vector<Appended>> forward(const ForwardOrder& order, const ForwardCheck& check,
                                                  const ForwardCopy& copy) = 0;
    virtual std::optional<Message> find_message(const std::string& chat_id,
                                                const std::string& message_id) = 0;
    virtual std::vector<Message> history(const std::string& chat_id, const std::string& user_id,
                                         Seq from_seq, const HistoryPage& page) = 0;
    // Media messages, newest first, optionally of one type, before a seq.
    virtual std::vector<Message> media(const std::string& chat_id, const std::string& user_id,
                                       Seq from_seq, std::optional<MessageType> type,
                                       std::optional<Seq> before, int limit) = 0;
    // Erases a message's text, media and reactions for everyone, after `check` allowed it.
    virtual Result<Message> delete_for_everyone(const std::string& chat_id,
                                                const std::string& message_id,
                                                const std::function<Status(const Message&)>& check) = 0;
    // Replaces a message's text and records when (edited_at), after `check` allowed it
    // on the message as stored; the message as it is then. The old text is not kept.
    // not_found for no such message; `message_deleted` when deleted for everyone meanwhile.
    virtual Result<Message> edit_message(const std::string& chat_id, const std::string& message_id,
                                         const std::string& text, TimeMs edited_at,
                                         const std::function<Status(const Message&)>& check) = 0;
    // Sets `user_id`'s one reaction to a message to `emoji`, replacing theirs, or with
    // nullopt takes it back, after `check` allowed it on the message as stored (which
    // cannot be deleted for everyone meanwhile). not_found for no such message.
    virtual Result<ReactionSet> set_reaction(const std::string& chat_id, const std::string& message_id,
                                             const std::string& user_id, const std::optional<std::string>& emoji,
                                             TimeMs now, const std::function<Status(const Message&)>& check) = 0;
    virtual void hide_message(const std::string& user_id, const Message& message) = 0;
    // The messages the user can see that have the words, newest first: in chats they are
    // in, from their joining on, not hidden by them and not deleted. invalid_argument
    // `invalid_cursor` for a `before` this store did not make.
    virtual Result<FoundMessages> search_messages(const MessageSearch& search) = 0;

    // Moves the user's read mark up to `seq` (never down). Returns the new mark, or
    // nullopt when it did not move.
    virtual std::optional<Seq> mark_read(const std::string& chat_id, const std::string& user_id,
                                         Seq seq) = 0;
    // Moves a device's delivery cursor up to `seq` (never down), and the user's delivered
    // mark with it. Returns the user's new delivered mark, or nullopt when it did not move.
    virtual std::optional<Seq> mark_delivered(const std::string& session_id,
                                              const std::string& chat_id,
                                              const std::string& user_id, Seq seq) = 0;
    // Where the device stands in each of the user's chats.
    virtual std::vector<DeliveryCursor> delivery_cursors(const std::string& session_id,
                                                         const std::string& user_id) = 0;
    // How far the device has acknowledged one chat (its join point when never); nullopt
    // when the user is not in the chat.
    virtual std::optional<Seq> delivered(const std::string& session_id, const std::string& chat_id,
                          const std::string& user_id) = 0;
};

}  // namespace flow
