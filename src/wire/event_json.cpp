#include "wire/event_json.hpp"

#include <boost/json/parse.hpp>

#include "wire/call_json.hpp"
#include "wire/chat_json.hpp"
#include "wire/json_util.hpp"
#include "wire/story_json.hpp"

namespace flow::wire {

namespace {

struct Encoder {
    EncodedEvent operator()(const event::MessageNew& e) const { return {"message:new", to_json(e.message)}; }
    EncodedEvent operator()(const event::MessageDeleted& e) const {
        return {"message:deleted", {{"chat_id", e.chat_id}, {"message_id", e.message_id}}};
    }
    EncodedEvent operator()(const event::MessageEdited& e) const { return {"message:edited", to_json(e.message)}; }
    EncodedEvent operator()(const event::MessageReaction& e) const {
        return {"message:reaction",
                {{"chat_id", e.chat_id}, {"message_id", e.message_id}, {"user_id", e.user_id}, {"emoji", or_null(e.emoji)}}};
    }
    EncodedEvent operator()(const event::MessageStatus& e) const {
        return {"message:status",
                {{"chat_id", e.chat_id},
                 {"user_id", e.user_id},
                 {"seq", e.seq},
                 {"status", e.status == event::Receipt::read ? "read" : "delivered"}}};
    }
    EncodedEvent operator()(const event::Typing& e) const {
        return {"typing", {{"chat_id", e.chat_id}, {"user_id", e.user_id}, {"typing", e.typing}}};
    }
    EncodedEvent operator()(const event::Presence& e) const {
        return {"presence",
                {{"user_id", e.user_id}, {"online", e.online}, {"last_seen_at", or_null(e.last_seen_at)}}};
    }
    EncodedEvent operator()(const event::ChatNew& e) const { return {"chat:new", to_json(e.chat)}; }
    EncodedEvent operator()(const event::ChatUpdated& e) const {
        auto chat = to_json(e.chat);
        chat["request"] = e.request;
        return {"chat:updated", std::move(chat)};
    }
    EncodedEvent operator()(const event::StoryNew& e) const { return {"story:new", to_json(e.story)}; }
    EncodedEvent operator()(const event::CallIncoming& e) const { return {"call:incoming", to_json(e.call)}; }
    EncodedEvent operator()(const event::CallUpdated& e) const { return {"call:updated", to_json(e.call)}; }
    EncodedEvent operator()(const event::CallSignal& e) const {
        return {"call:signal",
                {{"call_id", e.call_id},
                 {"from", e.from},
                 {"kind", e.kind},
                 {"payload", boost::json::parse(e.payload_json)}}};
    }
    EncodedEvent operator()(const event::SessionEnded& e) const {
        return {"session:ended", {{"session_id", e.session_id}}};
    }
};

}  // namespace

EncodedEvent to_json(const Event& event) { return std::visit(Encoder{}, event); }

}  // namespace flow::wire
