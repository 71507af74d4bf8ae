#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "domain/call.hpp"
#include "domain/chat.hpp"
#include "domain/message.hpp"
#include "domain/story.hpp"

namespace flow {

// The real-time events of API.md, as domain values; each transport encodes them.
namespace event {

struct MessageNew {
    Message message;
};
struct MessageDeleted {
    std::string chat_id;
    std::string message_id;
};
// A message's text changed: the message as it is now.
struct MessageEdited {
    Message message;
};
// A user's reaction to a message changed: the emoji now, none when they took it back.
struct MessageReaction {
    std::string chat_id;
    std::string message_id;
    std::string user_id;
    std::optional<std::string> emoji;
};
enum class Receipt { delivered, read };
struct MessageStatus {
    std::string chat_id;
    std::string user_id;
    Seq seq = 0;
    Receipt status = Receipt::delivered;
};
struct Typing {
    std::string chat_id;
    std::string user_id;
    bool typing = false;
};
struct Presence {
    std::string user_id;
    bool online = false;
    std::optional<TimeMs> last_seen_at;
};
struct ChatNew {
    ChatView chat;
};
// Sent to users who all see the same `request` (false but for a message request).
struct ChatUpdated {
    Chat chat;
    bool request = false;
};
struct StoryNew {
    Story story;
};
struct CallIncoming {
    Call call;
};
struct CallUpdated {
    Call call;
};
// WebRTC signalling between two participants; the payload (an SDP description or an ICE
// candidate) is relayed as the JSON text it came as.
struct CallSignal {
    std::string call_id;
    std::string from;
    std::string kind;
    std::string payload_json;
};
// A device signed out: its sockets are closed. Not sent to clients.
struct SessionEnded {
    std::string session_id;
};

}  // namespace event

using Event = std::variant<event::MessageNew, event::MessageDeleted, event::MessageEdited, event::MessageReaction,
                           event::MessageStatus,
                           event::Typing, event::Presence, event::ChatNew, event::ChatUpdated,
                           event::StoryNew, event::CallIncoming, event::CallUpdated, event::CallSignal,
                           event::SessionEnded>;

// An event and who gets it: every connected device of these users, except one device
// (the one that caused it, when it should not hear its own echo), or only one device.
struct Delivery {
    // Most deliveries name no single device: the constructor lets them leave it out.
    Delivery(std::vector<std::string> user_ids, std::string except_session, Event event,
             std::string only_session = {})
        : user_ids(std::move(user_ids)),
          except_session(std::move(except_session)),
          event(std::move(event)),
          only_session(std::move(only_session)) {}

    std::vector<std::string> user_ids;
    std::string except_session;
    Event event;
    std::string only_session;
};

}  // namespace flow
