#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/media.hpp"

namespace flow {

// A message's place in its chat: 1, 2, 3, ... with no gaps, in the order accepted.
using Seq = std::int64_t;

// `system` is the server's own note of a change to the chat (disappearing messages turned
// on or off); clients cannot send one.
enum class MessageType { text, image, audio, video, file, system };

std::string_view to_string(MessageType type);
std::optional<MessageType> message_type_from(std::string_view name);

// The users who reacted to a message with one emoji, in the order they did.
struct Reaction {
    std::string emoji;
    std::vector<std::string> user_ids;
};

// Adds `user_id`'s reaction to a message's, grouped by emoji in the order each emoji was
// first used (reactions are added oldest first). A user has one reaction per message:
// the stores keep it so.
void add_reaction(std::vector<Reaction>& reactions, const std::string& emoji, const std::string& user_id);

// What a reply shows of the message it answers, read when the reply is: so it follows
// the original's edits, and its text is gone once the original is deleted for everyone.
struct ReplyPreview {
    std::string id;
    std::string sender_id;
    MessageType type = MessageType::text;
    std::optional<std::string> text;  // the first kReplyPreviewLength characters; none once deleted
};

inline constexpr std::size_t kReplyPreviewLength = 100;

// One message of a chat. A message deleted for everyone keeps its place (seq) with its
// text and media erased.
struct Message {
    std::string id;
    std::string chat_id;
    Seq seq = 0;
    std::string sender_id;
    std::string client_id;  // the sender's own id for it, which makes retries safe
    MessageType type = MessageType::text;
    std::string text;       // the text, or a media message's caption
    std::optional<std::string> media_id;
    std::optional<std::string> reply_to;  // the id of a message of the same chat
    // When sending, the message replied to as its seq (a client may name it either way);
    // storage turns it into reply_to.
    std::optional<Seq> reply_to_seq;
    TimeMs created_at = 0;
    bool deleted = false;
    std::string origin_session;  // the device it was sent from, which already has it
    std::optional<Media> media;  // what media_id names, when read back
    std::optional<TimeMs> edited_at;  // when its sender last changed its text
    std::vector<Reaction> reactions;
    std::optional<ReplyPreview> reply_preview;  // when reply_to is set
    bool forwarded = false;  // a copy of a message from another chat (or the same one)
    std::vector<std::string> mentions;  // members it mentions, distinct
    // When it disappears for everyone (its chat had disappearing messages when it was
    // sent); none otherwise.
    std::optional<TimeMs> expires_at;
};

// Whether the message has disappeared by `now` (its expires_at has passed): it is then
// shown to nobody, and the sweep erases it (MessageExpirySweeper).
inline bool is_expired(const Message& message, TimeMs now) {
    return message.expires_at && *message.expires_at <= now;
}

// The preview of `original` that a reply to it shows.
ReplyPreview reply_preview_of(const Message& original);

inline constexpr std::size_t kMaxForwardMessages = 20;
inline constexpr std::size_t kMaxForwardChats = 5;

// The rules of a forward's lists, which it makes distinct (keeping the first of each):
// 1 to 20 messages (`too_many_messages`) into 1 to 5 chats (`too_many_chats`).
Status validate_forward(std::vector<std::string>& message_ids, std::vector<std::string>& to_chat_ids);
// Whether a message may be forwarded: not once deleted for everyone (`message_deleted`),
// nor a system message (`not_forwardable`).
Status check_can_forward(const Message& message);
// `original` as `sender_id` forwards it into chat `chat_id` at `now`: a new message with
// the same type, text and media (shared, not copied), marked forwarded, replying to
// nothing; its client_id is its id, unique as the sender's own would be.
Message forwarded_copy(const Message& original, std::string id, const std::string& chat_id,
                       const std::string& sender_id, const std::string& origin_session, TimeMs now);

// What a sender asks to send.
struct NewMessage {
    std::string client_id;
    MessageType type = MessageType::text;
    std::string text;
    std::optional<std::string> media_id;
    std::optional<std::string> reply_to;
    std::optional<Seq> reply_to_seq;  // reply_to given as a seq instead
    std::vector<std::string> mentions;
};

inline constexpr std::size_t kMaxMessageTextBytes = 64 * 1024;
inline constexpr std::size_t kMaxClientIdLength = 64;
inline constexpr std::size_t kMaxMentions = 1024;  // a group's most members (kMaxGroupSize)

// The rules of a message's shape: a client_id of 1 to 64 characters; a text message has
// non-empty text and no media; a media message has a media_id; text at most 64 KiB; at
// most as many mentions as a group has members (`invalid_mention`).
Status validate_new_message(const NewMessage& message);

// The ids, each once, in the order they first came.
std::vector<std::string> distinct_ids(std::vector<std::string> ids);

// Whether `user_id` may delete `message` for everyone at `now`: only its sender, and only
// within `window_ms` of sending.
Status check_can_delete_for_everyone(const Message& message, const std::string& user_id,
                                     TimeMs now, TimeMs window_ms);

// Whether a message takes reactions (or their removal): not once it was deleted for
// everyone (`message_deleted`), which also took its reactions away.
Status check_can_react(const Message& message);

// The rules of an edit's new text, before any message is looked at: at most 64 KiB.
Status validate_edit_text(std::string_view text);
// Whether `user_id` may change the text of `message` to `text` at `now`: only its sender
// (`not_sender`), not a system message (`not_editable`), not once deleted for everyone (`message_deleted`), only within
// `window_ms` of sending (`window_passed`); a text message keeps some text (`empty_text`),
// a media message's caption may become empty.
Status check_can_edit(const Message& message, const std::string& user_id, std::string_view text,
                      TimeMs now, TimeMs window_ms);

}  // namespace flow
