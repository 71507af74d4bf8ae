#include "wire/message_request.hpp"

namespace flow::wire {

Result<NewMessage> read_new_message(JsonReader& in) {
    NewMessage message;
    message.client_id = in.string("client_id");
    const auto type = in.string("type");
    message.text = in.optional_string("text").value_or("");
    message.media_id = in.optional_string("media_id");
    message.reply_to = in.optional_string("reply_to");
    if (in.error()) return *in.error();
    const auto parsed = message_type_from(type);
    if (!parsed) return Error::invalid("invalid_field", "type must be text, image, audio, video or file");
    message.type = *parsed;
    return message;
}

}  // namespace flow::wire
