#include "domain/message.hpp"

#include <algorithm>
#include <array>

#include "common/utf8.hpp"

namespace flow {

namespace {

constexpr std::array<std::string_view, 6> kTypeNames = {"text", "image", "audio", "video", "file", "system"};

}  // namespace

std::string_view to_string(MessageType type) { return kTypeNames[static_cast<std::size_t>(type)]; }

std::optional<MessageType> message_type_from(std::string_view name) {
    for (std::size_t i = 0; i < kTypeNames.size(); ++i)
        if (kTypeNames[i] == name) return static_cast<MessageType>(i);
    return std::nullopt;
}

std::vector<std::string> distinct_ids(std::vector<std::string> ids) {
    std::vector<std::string> seen;
    for (auto& id : ids)
        if (std::find(seen.begin(), seen.end(), id) == seen.end()) seen.push_back(std::move(id));
    return seen;
}

Status validate_new_message(const NewMessage& message) {
    if (message.client_id.empty() || utf8_length(message.client_id) > kMaxClientIdLength)
        return Error::invalid("invalid_client_id", "client_id must be 1 to 64 characters");
    if (message.type == MessageType::system)
        return Error::invalid("invalid_field", "type must be text, image, audio, video or file");
    if (message.text.size() > kMaxMessageTextBytes)
        return Error::invalid("too_long", "text is longer than 64 KiB");
    if (message.type == MessageType::text) {
        if (message.text.empty()) return Error::invalid("empty_text", "a text message needs text");
        if (message.media_id) return Error::invalid("invalid_media", "a text message carries no media_id");
    } else if (!message.media_id) {
        return Error::invalid("missing_field", "a media message needs a media_id");
    }
    if (message.mentions.size() > kMaxMentions)
        return Error::invalid("invalid_mention", "a message mentions at most 1024 members");
    return Ok{};
}

Status check_can_delete_for_everyone(const Message& message, const std::string& user_id,
                                     TimeMs now, TimeMs window_ms) {
    if (message.sender_id != user_id)
        return Error::forbidden("not_sender", "only the sender may delete a message for everyone");
    if (now - message.created_at > window_ms)
        return Error::forbidden("window_passed", "it is too late to delete this message for everyone");
    return Ok{};
}

ReplyPreview reply_preview_of(const Message& original) {
    ReplyPreview preview{original.id, original.sender_id, original.type, std::nullopt};
    if (!original.deleted) {
        // The first characters (code points, as SQL's substr counts them), whole.
        std::size_t end = 0, count = 0;
        const auto& text = original.text;
        while (end < text.size() && count < kReplyPreviewLength) {
            ++end;
            while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
            ++count;
        }
        preview.text = text.substr(0, end);
    }
    return preview;
}

Status validate_forward(std::vector<std::string>& message_ids, std::vector<std::string>& to_chat_ids) {
    message_ids = distinct_ids(std::move(message_ids));
    to_chat_ids = distinct_ids(std::move(to_chat_ids));
    if (message_ids.empty()) return Error::invalid("invalid_field", "message_ids names no message");
    if (to_chat_ids.empty()) return Error::invalid("invalid_field", "to_chat_ids names no chat");
    if (message_ids.size() > kMaxForwardMessages)
        return Error::invalid("too_many_messages", "at most 20 messages are forwarded at once");
    if (to_chat_ids.size() > kMaxForwardChats)
        return Error::invalid("too_many_chats", "messages are forwarded into at most 5 chats at once");
    return Ok{};
}

Status check_can_forward(const Message& message) {
    if (message.type == MessageType::system)
        return Error::conflict("not_forwardable", "the server's notes of changes to a chat cannot be forwarded");
    if (message.deleted) return Error::conflict("message_deleted", "a message deleted for everyone cannot be forwarded");
    return Ok{};
}

Message forwarded_copy(const Message& original, std::string id, const std::string& chat_id,
                       const std::string& sender_id, const std::string& origin_session, TimeMs now) {
    Message copy;
    copy.id = std::move(id);
    copy.chat_id = chat_id;
    copy.sender_id = sender_id;
    copy.client_id = copy.id;
    copy.type = original.type;
    copy.text = original.text;
    copy.media_id = original.media_id;
    copy.media = original.media;
    copy.created_at = now;
    copy.origin_session = origin_session;
    copy.forwarded = true;
    return copy;
}

void add_reaction(std::vector<Reaction>& reactions, const std::string& emoji, const std::string& user_id) {
    auto same = std::find_if(reactions.begin(), reactions.end(), [&](const Reaction& r) { return r.emoji == emoji; });
    if (same == reactions.end()) same = reactions.insert(reactions.end(), Reaction{emoji, {}});
    same->user_ids.push_back(user_id);
}

Status check_can_react(const Message& message) {
    if (message.deleted) return Error::conflict("message_deleted", "the message was deleted for everyone");
    return Ok{};
}

Status validate_edit_text(std::string_view text) {
    if (text.size() > kMaxMessageTextBytes) return Error::invalid("too_long", "text is longer than 64 KiB");
    return Ok{};
}

Status check_can_edit(const Message& message, const std::string& user_id, std::string_view text,
                      TimeMs now, TimeMs window_ms) {
    if (message.sender_id != user_id) return Error::forbidden("not_sender", "only the sender may edit a message");
    if (message.type == MessageType::system)
        return Error::forbidden("not_editable", "the server's notes of changes to a chat cannot be edited");
    if (message.deleted) return Error::conflict("message_deleted", "the message was deleted for everyone");
    if (now - message.created_at > window_ms)
        return Error::forbidden("window_passed", "it is too late to edit this message");
    if (message.type == MessageType::text && text.empty())
        return Error::invalid("empty_text", "a text message needs text");
    return validate_edit_text(text);
}

}  // namespace flow
