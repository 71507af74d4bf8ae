#pragma once

#include "http/router.hpp"
#include "service/chat_service.hpp"
#include "service/message_service.hpp"

namespace flow::http {

// /chats and everything below it: chats, members, messages, receipts, the media gallery.
void add_chat_routes(Router& router, ChatService& chats, MessageService& messages);

}  // namespace flow::http
