#include "wire/encoded_delivery.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "wire/event_json.hpp"

namespace flow::wire {

namespace json = boost::json;

EncodedDelivery encode(const Delivery& delivery) {
    EncodedDelivery out{delivery.user_ids, delivery.except_session, delivery.only_session, {}, {}, {}, 0, {}, {}};
    if (const auto* ended = std::get_if<event::SessionEnded>(&delivery.event)) {
        out.ended_session = ended->session_id;
        return out;
    }
    if (const auto* created = std::get_if<event::MessageNew>(&delivery.event)) {
        out.chat_id = created->message.chat_id;
        out.seq = created->message.seq;
    } else if (const auto* typing = std::get_if<event::Typing>(&delivery.event)) {
        out.state_key = "typing " + typing->chat_id + " " + typing->user_id;
    } else if (const auto* presence = std::get_if<event::Presence>(&delivery.event)) {
        out.state_key = "presence " + presence->user_id;
    }
    const auto encoded = to_json(delivery.event);
    out.event = encoded.name;
    out.data_json = json::serialize(encoded.data);
    return out;
}

std::string to_envelope(const EncodedDelivery& d) {
    json::object envelope{{"to", json::array(d.user_ids.begin(), d.user_ids.end())},
                          {"except", d.except_session},
                          {"only", d.only_session}};
    if (!d.ended_session.empty()) {
        envelope["ended_session"] = d.ended_session;
        return json::serialize(envelope);
    }
    envelope["event"] = d.event;
    if (d.seq != 0) {
        envelope["chat_id"] = d.chat_id;
        envelope["seq"] = d.seq;
    }
    if (!d.state_key.empty()) envelope["state"] = d.state_key;
    // The data is JSON text already: spliced in as it is, not parsed and printed again.
    auto text = json::serialize(envelope);
    text.pop_back();
    text.append(R"(,"data":)").append(d.data_json).push_back('}');
    return text;
}

std::optional<EncodedDelivery> from_envelope(std::string_view text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& o = value.as_object();
    const auto string_of = [&](std::string_view key) -> std::string {
        const auto* v = o.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const auto* to = o.if_contains("to");
    if (!to || !to->is_array()) return std::nullopt;
    EncodedDelivery d;
    for (const auto& user : to->as_array())
        if (user.is_string()) d.user_ids.emplace_back(user.as_string());
    d.except_session = string_of("except");
    d.only_session = string_of("only");
    d.ended_session = string_of("ended_session");
    if (!d.ended_session.empty()) return d;  // a sign-out carries no event
    d.event = string_of("event");
    if (const auto* data = o.if_contains("data")) d.data_json = json::serialize(*data);
    d.chat_id = string_of("chat_id");
    if (const auto* seq = o.if_contains("seq"); seq && seq->is_int64()) d.seq = seq->as_int64();
    d.state_key = string_of("state");
    if (d.event.empty() || d.data_json.empty()) return std::nullopt;
    return d;
}

}  // namespace flow::wire
