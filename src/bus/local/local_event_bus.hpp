#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "bus/event_bus.hpp"

namespace flow {

// The in-process bus of a single node: hands each delivery straight to the subscribers
// (the real-time hub), which must not block. Thread-safe.
class LocalEventBus final : public EventBus {
public:
    using Subscriber = std::function<void(const Delivery&)>;

    void subscribe(Subscriber subscriber);
    void publish(Delivery delivery) override;

private:
    std::mutex mutex_;
    std::vector<Subscriber> subscribers_;
};

}  // namespace flow
