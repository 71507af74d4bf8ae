#include "wire/chat_json.hpp"

#include <boost/json/array.hpp>

#include "wire/json_util.hpp"
#include "wire/media_json.hpp"

namespace flow::wire {

boost::json::object to_json(const Message& message) {
    boost::json::value media = nullptr;
    if (message.media) media = to_json(*message.media);
    boost::json::value reply_preview = nullptr;
    if (const auto& p = message.reply_preview)
        reply_preview = {{"id", p->id}, {"sender_id", p->sender_id}, {"type", to_string(p->type)}, {"text", or_null(p->text)}};
    boost::json::array reactions;
    for (const auto& r : message.reactions)
        reactions.push_back(boost::json::object{{"emoji", r.emoji},
                                                {"user_ids", boost::json::array(r.user_ids.begin(), r.user_ids.end())}});
    return {{"id", message.id},
            {"chat_id", message.chat_id},
            {"seq", message.seq},
            {"sender_id", message.sender_id},
            {"client_id", message.client_id},
            {"type", to_string(message.type)},
            {"text", message.text},
            {"media", std::move(media)},
            {"reply_to", or_null(message.reply_to)},
            {"reply_preview", std::move(reply_preview)},
            {"created_at", message.created_at},
            {"deleted", message.deleted},
            {"edited_at", or_null(message.edited_at)},
            {"forwarded", message.forwarded},
            {"mentions", boost::json::array(message.mentions.begin(), message.mentions.end())},
            {"reactions", std::move(reactions)},
            {"expires_at", or_null(message.expires_at)}};
}

boost::json::array to_json(const std::vector<Message>& messages) {
    boost::json::array items;
    for (const auto& message : messages) items.push_back(to_json(message));
    return items;
}

boost::json::object to_json(const Chat& chat) {
    boost::json::array participants;
    for (const auto& p : chat.participants)
        participants.push_back({{"user_id", p.user_id}, {"role", to_string(p.role)}});
    return {{"id", chat.id},
            {"type", to_string(chat.type)},
            {"name", chat.name},
            {"image_id", or_null(chat.image_id)},
            {"participants", std::move(participants)},
            {"created_at", chat.created_at},
            {"disappearing_seconds", chat.disappearing_seconds}};
}

boost::json::object to_json(const ChatView& view) {
    auto json = to_json(view.chat);
    json["last_message"] = view.last_message ? boost::json::value(to_json(*view.last_message))
                                             : boost::json::value(nullptr);
    json["unread_count"] = view.unread_count;
    json["request"] = view.request;
    json["muted_until"] = view.muted_until ? boost::json::value(*view.muted_until) : boost::json::value(nullptr);
    json["pinned"] = view.pinned;
    json["archived"] = view.archived;
    return json;
}

}  // namespace flow::wire
