#include "http/routes/chat_routes.hpp"

#include <boost/json/array.hpp>

#include "wire/json_reader.hpp"
#include "wire/json_util.hpp"
#include "http/query_reader.hpp"
#include "wire/chat_json.hpp"
#include "wire/message_request.hpp"

namespace flow::http {

using wire::JsonReader;

namespace {

Response chat_response(int status, const Result<ChatView>& chat) {
    if (!chat) return Response::error(chat.error());
    return Response::json(status, wire::to_json(*chat));
}

Response page_response(const Result<MessagePage>& page) {
    if (!page) return Response::error(page.error());
    return Response::json(200, {{"items", wire::to_json(page->items)},
                                {"next_before", wire::or_null(page->next_before)}});
}

Response message_response(const Result<Message>& message) {
    if (!message) return Response::error(message.error());
    return Response::json(200, wire::to_json(*message));
}

Response messages_response(const Result<std::vector<Message>>& messages) {
    if (!messages) return Response::error(messages.error());
    return Response::json(200, {{"items", wire::to_json(*messages)}});
}

Response status_response(const Status& status, Response ok) {
    return status ? ok : Response::error(status.error());
}

}  // namespace

void add_chat_routes(Router& router, ChatService& chats, MessageService& messages) {
    router.add("POST", "/chats", Access::signed_in, [&chats](Request& request) {
        JsonReader in(request.body);
        const auto type = in.string("type");
        if (in.error()) return Response::error(*in.error());
        Result<ChatCreated> created = Error::invalid("invalid_field", "type must be direct or group");
        if (type == "direct") {
            const auto user_id = in.string("user_id");
            if (in.error()) return Response::error(*in.error());
            created = chats.create_direct(request.who(), user_id);
        } else if (type == "group") {
            const auto name = in.string("name");
            const auto user_ids = in.string_array("user_ids");
            if (in.error()) return Response::error(*in.error());
            created = chats.create_group(request.who(), name, user_ids);
        }
        if (!created) return Response::error(created.error());
        return Response::json(created->created ? 201 : 200, wire::to_json(created->chat));
    });

    router.add("GET", "/chats", Access::signed_in, [&chats](Request& request) {
        QueryReader query(request);
        const bool with_archived = query.boolean("archived").value_or(false);
        if (query.error()) return Response::error(*query.error());
        boost::json::array items;
        for (const auto& view : chats.list(request.who(), with_archived)) items.push_back(wire::to_json(view));
        return Response::json(200, {{"items", std::move(items)}});
    });

    router.add("GET", "/chats/{chat_id}", Access::signed_in, [&chats](Request& request) {
        return chat_response(200, chats.get(request.who(), request.param("chat_id")));
    });

    router.add("PUT", "/chats/{chat_id}", Access::signed_in, [&chats](Request& request) {
        JsonReader in(request.body);
        const auto name = in.optional_string("name");
        const auto image_id = in.nullable_string("image_id");
        if (in.error()) return Response::error(*in.error());
        return chat_response(200, chats.update(request.who(), request.param("chat_id"), name, image_id));
    });

    router.add("POST", "/chats/{chat_id}/participants", Access::signed_in, [&chats](Request& request) {
        JsonReader in(request.body);
        const auto user_ids = in.string_array("user_ids");
        if (in.error()) return Response::error(*in.error());
        return chat_response(200, chats.add_participants(request.who(), request.param("chat_id"), user_ids));
    });

    router.add("DELETE", "/chats/{chat_id}/participants/{user_id}", Access::signed_in,
               [&chats](Request& request) {
                   return chat_response(200, chats.remove_participant(request.who(), request.param("chat_id"),
                                                                      request.param("user_id")));
               });

    router.add("GET", "/chats/{chat_id}/messages", Access::signed_in, [&messages](Request& request) {
        QueryReader query(request);
        HistoryPage page{query.integer("before", 1, INT64_MAX), query.integer("after", 0, INT64_MAX),
                         query.limit()};
        if (query.error()) return Response::error(*query.error());
        if (page.before && page.after)
            return Response::error(Error::invalid("invalid_query", "give before or after, not both"));
        return page_response(messages.history(request.who(), request.param("chat_id"), page));
    });

    router.add("POST", "/chats/{chat_id}/send_message", Access::signed_in, [&messages](Request& request) {
        JsonReader in(request.body);
        auto message = wire::read_new_message(in);
        if (!message) return Response::error(message.error());
        auto sent = messages.send(request.who(), request.param("chat_id"), *message);
        if (!sent) return Response::error(sent.error());
        return Response::json(sent->created ? 201 : 200, wire::to_json(sent->message));
    });

    router.add("DELETE", "/chats/{chat_id}/delete_message", Access::signed_in, [&messages](Request& request) {
        JsonReader in(request.body);
        const auto message_id = in.string("message_id");
        const auto for_everyone = in.optional_boolean("for_everyone").value_or(false);
        if (in.error()) return Response::error(*in.error());
        return status_response(
            messages.delete_message(request.who(), request.param("chat_id"), message_id, for_everyone),
            Response::json(200, {{"message_id", message_id}, {"for_everyone", for_everyone}}));
    });

    router.add("PATCH", "/chats/{chat_id}/messages/{message_id}", Access::signed_in, [&messages](Request& request) {
        JsonReader in(request.body);
        const auto text = in.string("text");
        if (in.error()) return Response::error(*in.error());
        return message_response(messages.edit(request.who(), request.param("chat_id"), request.param("message_id"), text));
    });

    router.add("PUT", "/chats/{chat_id}/messages/{message_id}/reaction", Access::signed_in,
               [&messages](Request& request) {
                   JsonReader in(request.body);
                   const auto emoji = in.string("emoji");
                   if (in.error()) return Response::error(*in.error());
                   return message_response(
                       messages.react(request.who(), request.param("chat_id"), request.param("message_id"), emoji));
               });

    router.add("DELETE", "/chats/{chat_id}/messages/{message_id}/reaction", Access::signed_in,
               [&messages](Request& request) {
                   return message_response(messages.react(request.who(), request.param("chat_id"),
                                                          request.param("message_id"), std::nullopt));
               });

    router.add("POST", "/chats/{chat_id}/forward", Access::signed_in, [&messages](Request& request) {
        JsonReader in(request.body);
        auto message_ids = in.string_array("message_ids");
        auto to_chat_ids = in.string_array("to_chat_ids");
        if (in.error()) return Response::error(*in.error());
        return messages_response(
            messages.forward(request.who(), request.param("chat_id"), std::move(message_ids), std::move(to_chat_ids)));
    });

    router.add("GET", "/chats/{chat_id}/media", Access::signed_in, [&messages](Request& request) {
        QueryReader query(request);
        const auto type_name = query.text("type");
        const auto before = query.integer("before", 1, INT64_MAX);
        const int limit = query.limit();
        if (query.error()) return Response::error(*query.error());
        std::optional<MessageType> type;
        if (type_name) {
            type = message_type_from(*type_name);
            if (!type || *type == MessageType::text || *type == MessageType::system)
                return Response::error(Error::invalid("invalid_query", "type must be image, video, audio or file"));
        }
        return page_response(messages.media(request.who(), request.param("chat_id"), type, before, limit));
    });

    router.add("POST", "/chats/{chat_id}/read", Access::signed_in, [&messages](Request& request) {
        JsonReader in(request.body);
        const auto seq = in.integer("seq");
        if (in.error()) return Response::error(*in.error());
        return Response::done(messages.mark_read(request.who(), request.param("chat_id"), seq));
    });

    router.add("POST", "/chats/{chat_id}/accept", Access::signed_in, [&chats](Request& request) {
        return Response::done(chats.accept(request.who(), request.param("chat_id")));
    });

    router.add("PUT", "/chats/{chat_id}/settings", Access::signed_in, [&chats](Request& request) {
        JsonReader in(request.body);
        const ChatSettingsChange change{in.optional_boolean("pinned"), in.optional_boolean("archived")};
        if (in.error()) return Response::error(*in.error());
        if (!change.pinned && !change.archived)
            return Response::error(Error::invalid("missing_field", "pinned or archived is required"));
        return Response::done(chats.change_settings(request.who(), request.param("chat_id"), change));
    });

    router.add("PUT", "/chats/{chat_id}/disappearing", Access::signed_in, [&messages](Request& request) {
        JsonReader in(request.body);
        const auto seconds = in.integer("seconds");
        if (in.error()) return Response::error(*in.error());
        return chat_response(200, messages.set_disappearing(request.who(), request.param("chat_id"), seconds));
    });

    router.add("PUT", "/chats/{chat_id}/mute", Access::signed_in, [&chats](Request& request) {
        JsonReader in(request.body);
        const auto* until = in.optional_field("until");
        if (in.error()) return Response::error(*in.error());
        if (!until) return Response::error(Error::invalid("missing_field", "until is required (null to unmute)"));
        if (!until->is_null() && !until->is_int64())
            return Response::error(Error::invalid("invalid_field", "until is a time in ms, -1 for ever, or null"));
        const auto muted_until = until->is_null() ? std::nullopt : std::optional<TimeMs>(until->as_int64());
        return Response::done(chats.mute(request.who(), request.param("chat_id"), muted_until));
    });
}

}  // namespace flow::http
