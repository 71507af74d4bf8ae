#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "wire/encoded_delivery.hpp"
#include "domain/message.hpp"

namespace flow::realtime {

// How a socket frames events: /ws sends `{"event", "data"}` objects, Socket.IO sends
// EVENT packets `2["event", data]` (which Engine.IO carries as the message `42[...]`).
enum class WireFormat { plain, socketio };

// The frame of one event for one wire format.
std::string frame_event(WireFormat format, std::string_view name, std::string_view data_json);

// One event encoded once for every recipient: immutable, shared by all the sockets it
// goes to. Its frame for a wire format is built the first time a recipient of that
// format asks for it, so an event that reaches only Socket.IO devices is never framed
// for /ws. For message:new it also says where the message stands in its chat, so each
// device can keep its chats in order.
struct OutboundEvent {
    std::string chat_id;  // message:new only
    Seq seq = 0;          // message:new only
    // typing and presence: states, kept apart from a device's queue and coalesced by
    // this key (see LatestStates); empty for every other event.
    std::string state_key;

    // The frames of a delivery's event (not of a sign-out).
    static std::shared_ptr<const OutboundEvent> frame(const wire::EncodedDelivery& delivery);
    static std::shared_ptr<const OutboundEvent> encode(const Message& message);
    // A marker: where a message stands in its chat, with no frame (DeviceSession::sent_here).
    static std::shared_ptr<const OutboundEvent> marker(std::string chat_id, Seq seq);

    // Null for a marker. Thread-safe.
    const std::shared_ptr<const std::string>& frame(WireFormat format) const;
    bool is_message() const { return seq != 0; }
    bool is_state() const { return !state_key.empty(); }

private:
    struct Lazy {
        std::once_flag once;
        std::shared_ptr<const std::string> frame;
    };
    std::string name_;  // empty for a marker
    std::string data_json_;
    mutable Lazy plain_;
    mutable Lazy socketio_;
};

}  // namespace flow::realtime
