#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "domain/call.hpp"
#include "domain/message.hpp"

namespace flow::push {

// What one push tells a device: a message in a chat (the newest of a burst), or a call
// that rings.
struct PushContent {
    enum class Type { message, call };
    Type type = Type::message;
    // A message.
    std::string chat_id;
    std::string message_id;
    Seq seq = 0;
    std::string sender_id;
    std::int64_t badge = 0;      // the recipient's unread messages in all chats
    std::string sender_name;     // Web Push only (its body is end-to-end encrypted)
    std::string preview;         // the same: the text's first 100 characters
    // A call.
    std::string call_id;
    std::string caller_id;
    std::string call_type;  // "audio" or "video"

    static PushContent of(const Message& message, std::string sender_name, std::int64_t badge);
    static PushContent of(const Call& call);

    // Calls ring now or never: they go with high urgency and are dropped after a minute;
    // messages keep for a day.
    bool urgent() const { return type == Type::call; }
    TimeMs ttl_ms() const { return urgent() ? 60'000 : 86'400'000; }
    // Pushes that replace one another on the device: the chat's, or the call's.
    const std::string& collapse_key() const { return type == Type::call ? call_id : chat_id; }
};

// What every service carries: `{type: "message", chat_id, message_id, seq, sender_id,
// badge}` or `{type: "call", call_id, caller_id, call_type}`. FCM and APNs carry no more,
// as their operators can read it.
boost::json::object ids_json(const PushContent& content);
// What a Web Push body carries, encrypted for the browser: the ids, and for a message
// `sender_name` and `preview`.
boost::json::object web_push_json(const PushContent& content);

}  // namespace flow::push
