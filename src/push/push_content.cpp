#include "push/push_content.hpp"

namespace flow::push {

namespace {

constexpr std::size_t kPreviewCharacters = 100;

// The first `characters` characters of UTF-8 text, cut between characters.
std::string first_characters(const std::string& text, std::size_t characters) {
    std::size_t at = 0;
    for (std::size_t seen = 0; at < text.size() && seen < characters; ++seen) {
        ++at;
        while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    }
    return text.substr(0, at);
}

}  // namespace

PushContent PushContent::of(const Message& message, std::string sender_name, std::int64_t badge) {
    PushContent content;
    content.type = Type::message;
    content.chat_id = message.chat_id;
    content.message_id = message.id;
    content.seq = message.seq;
    content.sender_id = message.sender_id;
    content.badge = badge;
    content.sender_name = std::move(sender_name);
    content.preview = first_characters(message.text, kPreviewCharacters);
    return content;
}

PushContent PushContent::of(const Call& call) {
    PushContent content;
    content.type = Type::call;
    content.call_id = call.id;
    content.caller_id = call.caller_id;
    content.call_type = std::string(to_string(call.type));
    return content;
}

boost::json::object ids_json(const PushContent& c) {
    if (c.type == PushContent::Type::call)
        return {{"type", "call"}, {"call_id", c.call_id}, {"caller_id", c.caller_id}, {"call_type", c.call_type}};
    return {{"type", "message"}, {"chat_id", c.chat_id}, {"message_id", c.message_id},
            {"seq", c.seq},      {"sender_id", c.sender_id}, {"badge", c.badge}};
}

boost::json::object web_push_json(const PushContent& c) {
    auto json = ids_json(c);
    if (c.type == PushContent::Type::message) {
        json["sender_name"] = c.sender_name;
        json["preview"] = c.preview;
    }
    return json;
}

}  // namespace flow::push
