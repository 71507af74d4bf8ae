#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.hpp"

namespace flow::wire {

// A delivery with its event encoded once for the wire, as it goes to this node's devices
// and, through a shared bus, to other nodes': the recipients, then the event's name and
// JSON data (for message:new also its chat and seq, which devices keep their chats in
// order by), or the session whose sockets are to close.
struct EncodedDelivery {
    std::vector<std::string> user_ids;
    std::string except_session;
    std::string only_session;
    std::string event;
    std::string data_json;
    std::string chat_id;
    Seq seq = 0;
    std::string ended_session;  // set for a sign-out, which has no event
    // typing and presence, which are states rather than history: a later event with the
    // same key replaces one a device has not been sent yet (see net::LatestStates).
    std::string state_key;
};

EncodedDelivery encode(const Delivery& delivery);

// One JSON text per delivery, for the nodes of one service to tell each other.
std::string to_envelope(const EncodedDelivery& delivery);
// The delivery in an envelope; nullopt for anything malformed.
std::optional<EncodedDelivery> from_envelope(std::string_view text);

}  // namespace flow::wire
