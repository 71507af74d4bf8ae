#pragma once

#include "bus/event_bus.hpp"
#include "bus/node_link.hpp"
#include "realtime/hub.hpp"

namespace flow::realtime {

// The event bus of a node: encodes each delivery once, hands it to this node's hub at
// once, and its envelope to the other nodes through the link, when the node has others;
// what they send comes back through the link to the hub. Thread-safe.
class Fanout final : public EventBus {
public:
    // `link` is null for a node on its own. Destroy the link first: its threads call in.
    Fanout(Hub& hub, NodeLink* link);

    void publish(Delivery delivery) override;
    bool healthy() const override { return !link_ || link_->healthy(); }
    // An envelope (wire::to_envelope) from another node, or from flowctl beside a node on
    // its own (bus/unix/envelope_socket.hpp): handed to this node's hub alone.
    void receive(std::string_view envelope);

private:

    Hub& hub_;
    NodeLink* link_;
};

}  // namespace flow::realtime
