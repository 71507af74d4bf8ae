#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "service/auth_service.hpp"
#include "service/chat_service.hpp"
#include "service/privacy_service.hpp"
#include "bus/event_bus.hpp"
#include "service/push_notifier.hpp"
#include "limits/rate_limiter.hpp"
#include "storage/chat_store.hpp"

namespace flow {

// A page of messages and the cursor of the next older page, if there may be one.
struct MessagePage {
    std::vector<Message> items;
    std::optional<Seq> next_before;
};

// Messages: sending (safe to retry), forwarding, history, editing, deleting, the media gallery,
// reactions, receipts and typing; and what a device is owed when it connects. Publishes
// message:new, message:edited, message:reaction, message:deleted, message:status and
// typing. Sends, edits, reactions and typing count against the sender's rate limits: a
// send, edit or reaction past them is `rate_limited`, a typing event is dropped.
// Blocking (storage): call it on the blocking pool. Thread-safe.
class MessageService {
public:
    // How long after sending a sender may still act on a message.
    struct Windows {
        TimeMs delete_for_everyone_ms = 0;
        TimeMs edit_ms = 0;
        // Above 0: how long messages of chats with disappearing messages live, whatever
        // their period (for tests: --disappearing-override-ms).
        TimeMs disappearing_override_ms = 0;
    };
    MessageService(ChatStore& chats, ChatService& chat_rules, MediaService& media, EventBus& bus,
                   PushNotifier& push, const Clock& clock, Windows windows, RateLimiter& limits,
                   PrivacyService& privacy)
        : chats_(chats), chat_rules_(chat_rules), media_(media), bus_(bus), push_(push), clock_(clock),
          windows_(windows), limits_(limits), privacy_(privacy) {}

    // Sends without waiting for storage: `done` hears the stored message and whether this
    // call created it (false for a retry), or why not, once it is durable, maybe on a
    // thread of storage's, so it must not wait on storage. A caller's sends, made one
    // after another, are stored and heard of in that order.
    using Sent = std::function<void(Result<Appended>)>;
    void send(const Caller& caller, const std::string& chat_id, const NewMessage& message, Sent done);
    // Whether that returns at once, without touching storage or a shared rate limiter: a
    // message with media reads it first.
    bool sends_in_background(bool with_media) const {
        return !with_media && chats_.appends_in_background() && !limits_.blocks();
    }
    // The same, waiting for the result.
    Result<Appended> send(const Caller& caller, const std::string& chat_id, const NewMessage& message);
    Result<MessagePage> history(const Caller& caller, const std::string& chat_id,
                                const HistoryPage& page);
    Status delete_message(const Caller& caller, const std::string& chat_id,
                          const std::string& message_id, bool for_everyone);
    // Replaces the text (or caption) of the caller's own message (check_can_edit), and
    // tells every device of the members who can see it with message:edited.
    Result<Message> edit(const Caller& caller, const std::string& chat_id, const std::string& message_id,
                         const std::string& text);
    // Sets the caller's one reaction to a message (an emoji: is_single_emoji, else
    // `invalid_emoji`), replacing theirs, or with nullopt takes it back; the message as it
    // is then. When that changed something, the members who can see the message hear
    // message:reaction on every device.
    Result<Message> react(const Caller& caller, const std::string& chat_id, const std::string& message_id,
                          const std::optional<std::string>& emoji);
    // Forwards messages of a chat the caller can see (validate_forward, check_can_forward)
    // into chats the caller is in, all or nothing: the new messages, forwarded, target by
    // target in the order named, each target's in the originals' order. Their media is
    // shared, so the targets' members may read it. Each goes out as message:new and a
    // push, as a message sent would; a forward counts once against the send rate.
    Result<std::vector<Message>> forward(const Caller& caller, const std::string& from_chat_id,
                                         std::vector<std::string> message_ids, std::vector<std::string> to_chat_ids);
    // Sets the chat's disappearing messages to `seconds` (validate_disappearing_seconds,
    // check_can_set_disappearing): messages sent from then on carry expires_at. A change
    // appends a system message saying who made it, which goes out as message:new to every
    // device of the members (the caller's too), and the members hear chat:updated; setting
    // what is set already changes nothing. The chat as the caller sees it then.
    Result<ChatView> set_disappearing(const Caller& caller, const std::string& chat_id, std::int64_t seconds);
    Result<MessagePage> media(const Caller& caller, const std::string& chat_id,
                              std::optional<MessageType> type, std::optional<Seq> before, int limit);
    // Receipts, cumulative up to `seq`. A read mark counts for the reader's unread whoever
    // hears of it (activity_audience, read_receipt_audience).
    Status mark_read(const Caller& caller, const std::string& chat_id, Seq seq);
    Status mark_delivered(const Caller& caller, const std::string& chat_id, Seq seq);
    Status typing(const Caller& caller, const std::string& chat_id, bool typing);

    // Where the caller's device stands in each of its chats.
    std::vector<DeliveryCursor> delivery_cursors(const Caller& caller);
    // How far the caller's device has acknowledged a chat.
    Result<Seq> delivered(const Caller& caller, const std::string& chat_id);
    // The messages of a chat after `after_seq` that the caller may see, in seq order.
    Result<std::vector<Message>> messages_after(const Caller& caller, const std::string& chat_id,
                                                Seq after_seq, int limit);

private:
    // The first seq the caller may see in the chat; not_found when not a member. Cheaper
    // than loading the chat with all its members.
    Result<Seq> visible_from(const Caller& caller, const std::string& chat_id);

    ChatStore& chats_;
    ChatService& chat_rules_;
    MediaService& media_;
    EventBus& bus_;
    PushNotifier& push_;
    const Clock& clock_;
    Windows windows_;
    RateLimiter& limits_;
    PrivacyService& privacy_;
};

}  // namespace flow
