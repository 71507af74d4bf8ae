#pragma once

#include "domain/events.hpp"

namespace flow {

// Carries events to the devices that should get them, wherever they are connected.
// publish never blocks on a client. Thread-safe.
class EventBus {
public:
    virtual ~EventBus() = default;
    virtual void publish(Delivery delivery) = 0;
    // Whether events reach every node now; for /health.
    virtual bool healthy() const { return true; }
};

}  // namespace flow
