#include "wire/message_request.hpp"

namespace flow::wire {

Result<NewMessage> read_new_message(JsonReader& in) {
    NewMessage message;
    message.client_id = in.string("client_id");
    const auto type = in.string("type");
    message.text = in.optional_string("text").value_or("");
    message.media_id = in.optional_string("media_id");
    if (const auto* mentions = in.optional_field("mentions"); mentions && !mentions->is_null())
        message.mentions = in.string_array("mentions");
    const auto* reply_to = in.optional_field("reply_to");
    if (in.error()) return *in.error();
    // The message replied to, by its id or its seq.
    if (reply_to && reply_to->is_string()) message.reply_to = std::string(reply_to->as_string());
    else if (reply_to && reply_to->is_int64()) message.reply_to_seq = reply_to->as_int64();
    else if (reply_to && !reply_to->is_null())
        return Error::invalid("invalid_field", "reply_to must be a message id or seq");
    const auto parsed = message_type_from(type);
    if (!parsed || *parsed == MessageType::system)
        return Error::invalid("invalid_field", "type must be text, image, audio, video or file");
    message.type = *parsed;
    return message;
}

}  // namespace flow::wire
