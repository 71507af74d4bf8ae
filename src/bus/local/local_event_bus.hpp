#pragma once

#include "bus/encoded_delivery.hpp"
#include "bus/event_bus.hpp"

namespace flow {

// The in-process bus of a single node: encodes each delivery and hands it straight to
// this node's devices. Thread-safe.
class LocalEventBus final : public EventBus {
public:
    explicit LocalEventBus(DeliverySink& sink) : sink_(sink) {}

    void publish(Delivery delivery) override { sink_.deliver(encode(delivery)); }

private:
    DeliverySink& sink_;
};

}  // namespace flow
