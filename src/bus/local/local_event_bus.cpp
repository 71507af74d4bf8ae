#include "bus/local/local_event_bus.hpp"

namespace flow {

void LocalEventBus::subscribe(Subscriber subscriber) {
    std::lock_guard lock(mutex_);
    subscribers_.push_back(std::move(subscriber));
}

void LocalEventBus::publish(Delivery delivery) {
    std::vector<Subscriber> subscribers;
    {
        std::lock_guard lock(mutex_);
        subscribers = subscribers_;
    }
    for (const auto& subscriber : subscribers) subscriber(delivery);
}

}  // namespace flow
