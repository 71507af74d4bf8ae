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

namespace {

std::shared_ptr<OutboundEvent> make(std::string_view name, std::string_view json) {
    auto out = std::make_shared<OutboundEvent>();
    out->plain_frame = std::make_shared<const std::string>(frame_event(WireFormat::plain, name, json));
    out->socketio_frame = std::make_shared<const std::string>(frame_event(WireFormat::socketio, name, json));
    return out;
}

}  // namespace

std::shared_ptr<const OutboundEvent> OutboundEvent::frame(const EncodedDelivery& delivery) {
    auto out = make(delivery.event, delivery.data_json);
    out->chat_id = delivery.chat_id;
    out->seq = delivery.seq;
    out->state_key = delivery.state_key;
    return out;
}

std::shared_ptr<const OutboundEvent> OutboundEvent::encode(const Message& message) {
    auto out = make("message:new", boost::json::serialize(wire::to_json(message)));
    out->chat_id = message.chat_id;
    out->seq = message.seq;
    return out;
}

}  // namespace flow::realtime
