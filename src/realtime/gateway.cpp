#include "realtime/gateway.hpp"

#include "common/utf8.hpp"

#include "wire/call_request.hpp"
#include "wire/chat_json.hpp"
#include "wire/json_reader.hpp"
#include "wire/message_request.hpp"
#include "wire/text_check.hpp"

namespace flow::realtime {

namespace {

using wire::JsonReader;

Result<boost::json::value> done(const Status& status) {
    if (!status) return status.error();
    return boost::json::value(boost::json::object{});
}

Result<boost::json::value> message_json(const Result<Message>& message) {
    if (!message) return message.error();
    return boost::json::value(wire::to_json(*message));
}

}  // namespace

boost::json::value error_json(const Error& error) {
    boost::json::object body{{"code", error.code}, {"message", error.message}};
    if (error.retry_after_s) body["retry_after"] = *error.retry_after_s;
    return {{"error", std::move(body)}};
}

void Gateway::handle(DeviceSession& device, std::string_view event, const boost::json::value& data,
                     Reply reply) const {
    // Both socket transports come through here: their text is checked once, as HTTP's is.
    if (!is_valid_text(event)) return reply(wire::invalid_text("the event name"));
    if (auto invalid = wire::check_text(data)) return reply(std::move(*invalid));
    if (event == "message:send") return send_message(device, data, std::move(reply));
    reply(handle_now(device, event, data));
}

bool Gateway::waits_on_nothing(std::string_view event, const boost::json::value& data) const {
    if (event != "message:send") return false;
    const auto* object = data.if_object();
    const auto* media = object ? object->if_contains("media_id") : nullptr;
    return messages_.sends_in_background(media && !media->is_null());
}

void Gateway::send_message(DeviceSession& device, const boost::json::value& data, Reply reply) const {
    JsonReader in(data);
    const auto chat_id = in.string("chat_id");
    auto message = wire::read_new_message(in);
    if (!message) return reply(std::move(message).error());
    messages_.send(device.caller(), chat_id, *message,
                   [device = device.shared_from_this(), reply = std::move(reply)](Result<Appended>&& sent) {
                       if (!sent) return reply(std::move(sent).error());
                       device->sent_here(sent->message);
                       reply(boost::json::value(wire::to_json(sent->message)));
                   });
}

Result<boost::json::value> Gateway::handle_now(DeviceSession& device, std::string_view event,
                                               const boost::json::value& data) const {
    const Caller& caller = device.caller();
    JsonReader in(data);
    if (event == "message:delivered" || event == "message:read") {
        const auto chat_id = in.string("chat_id");
        const auto seq = in.integer("seq");
        if (in.error()) return *in.error();
        return done(event == "message:read" ? messages_.mark_read(caller, chat_id, seq)
                                            : messages_.mark_delivered(caller, chat_id, seq));
    }
    if (event == "message:edit") {
        const auto chat_id = in.string("chat_id");
        const auto message_id = in.string("message_id");
        const auto text = in.string("text");
        if (in.error()) return *in.error();
        return message_json(messages_.edit(caller, chat_id, message_id, text));
    }
    if (event == "message:react") {
        const auto chat_id = in.string("chat_id");
        const auto message_id = in.string("message_id");
        const auto* emoji = in.optional_field("emoji");
        if (in.error()) return *in.error();
        if (!emoji) return Error::invalid("missing_field", "emoji is required (null takes the reaction back)");
        if (!emoji->is_null() && !emoji->is_string())
            return Error::invalid("invalid_field", "emoji must be a string, or null to take the reaction back");
        std::optional<std::string> chosen;
        if (emoji->is_string()) chosen = std::string(emoji->as_string());
        return message_json(messages_.react(caller, chat_id, message_id, chosen));
    }
    if (event == "message:forward") {
        const auto chat_id = in.string("chat_id");
        auto message_ids = in.string_array("message_ids");
        auto to_chat_ids = in.string_array("to_chat_ids");
        if (in.error()) return *in.error();
        auto forwarded = messages_.forward(caller, chat_id, std::move(message_ids), std::move(to_chat_ids));
        if (!forwarded) return forwarded.error();
        // This device has them in the ack: the messages after them need not wait for them.
        for (const auto& message : *forwarded) device.sent_here(message);
        return boost::json::value({{"items", wire::to_json(*forwarded)}});
    }
    if (event == "typing") {
        const auto chat_id = in.string("chat_id");
        const auto typing = in.boolean("typing");
        if (in.error()) return *in.error();
        return done(messages_.typing(caller, chat_id, typing));
    }
    if (event == "call:signal") {
        const auto call_id = in.string("call_id");
        auto signal = wire::read_call_signal(in);
        if (!signal) return std::move(signal).error();
        return done(calls_.signal(caller, call_id, *signal));
    }
    return Error::invalid("unknown_event", "no such event: " + std::string(event.substr(0, 64)));
}

}  // namespace flow::realtime
