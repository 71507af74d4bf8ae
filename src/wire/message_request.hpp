#pragma once

#include "common/result.hpp"
#include "domain/message.hpp"
#include "wire/json_reader.hpp"

namespace flow::wire {

// The fields of a message to send, `{client_id, type, text?, media_id?, reply_to?,
// mentions?}`, as
// both POST /chats/{id}/send_message and the sockets' message:send carry them; reply_to
// is a message's id or its seq.
Result<NewMessage> read_new_message(JsonReader& in);

}  // namespace flow::wire
