#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <vector>

#include "domain/chat.hpp"
#include "domain/message.hpp"

namespace flow::wire {

// A Message: `{id, chat_id, seq, sender_id, client_id, type, text, media, reply_to,
// reply_preview, created_at, deleted, edited_at, forwarded, mentions, reactions,
// expires_at}`.
boost::json::object to_json(const Message& message);
// Messages, as the array of a list's `items`.
boost::json::array to_json(const std::vector<Message>& messages);
// A Chat without the per-user parts: `{id, type, name, image_id, participants, created_at}`.
boost::json::object to_json(const Chat& chat);
// A Chat as one participant sees it: the above plus `last_message`, `unread_count` and
// `request` (whether it is a message request for them).
boost::json::object to_json(const ChatView& view);

}  // namespace flow::wire
