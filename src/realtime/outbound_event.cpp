#include "realtime/outbound_event.hpp"

#include <boost/json/serialize.hpp>

#include "wire/chat_json.hpp"

namespace flow::realtime {

std::string frame_event(WireFormat format, std::string_view name, std::string_view data_json) {
    std::string frame;
    frame.reserve(name.size() + data_json.size() + 24);
    if (format == WireFormat::plain) {
        frame.append(R"({"event":")").append(name).append(R"(","data":)").append(data_json).append("}");
    } else {
        frame.append(R"(2[")").append(name).append(R"(",)").append(data_json).append("]");
    }
    return frame;
}

std::shared_ptr<const OutboundEvent> OutboundEvent::frame(const wire::EncodedDelivery& delivery) {
    auto out = std::make_shared<OutboundEvent>();
    out->name_ = delivery.event;
    out->data_json_ = delivery.data_json;
    out->chat_id = delivery.chat_id;
    out->seq = delivery.seq;
    out->state_key = delivery.state_key;
    return out;
}

std::shared_ptr<const OutboundEvent> OutboundEvent::encode(const Message& message) {
    auto out = std::make_shared<OutboundEvent>();
    out->name_ = "message:new";
    out->data_json_ = boost::json::serialize(wire::to_json(message));
    out->chat_id = message.chat_id;
    out->seq = message.seq;
    return out;
}

std::shared_ptr<const OutboundEvent> OutboundEvent::marker(std::string chat_id, Seq seq) {
    auto out = std::make_shared<OutboundEvent>();
    out->chat_id = std::move(chat_id);
    out->seq = seq;
    return out;
}

const std::shared_ptr<const std::string>& OutboundEvent::frame(WireFormat format) const {
    Lazy& lazy = format == WireFormat::plain ? plain_ : socketio_;
    std::call_once(lazy.once, [&] {
        if (!name_.empty()) lazy.frame = std::make_shared<const std::string>(frame_event(format, name_, data_json_));
    });
    return lazy.frame;
}

}  // namespace flow::realtime
