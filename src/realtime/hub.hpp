#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "wire/encoded_delivery.hpp"
#include "realtime/device_session.hpp"

namespace flow::realtime {

// Who is connected to this node: each user's devices. Takes deliveries from the fanout, frames each event once and hands the shared frame to every recipient device,
// without holding its lock while it does. Thread-safe.
class Hub {
public:
    // What attaching or detaching a socket's device session changed on this node.
    struct Change {
        bool user = false;    // it is the user's first (attach) or last (detach)
        bool device = false;  // it is the device's (the session's) first or last socket
    };
    Change attach(const std::shared_ptr<DeviceSession>& device);
    Change detach(const DeviceSession& device);
    void deliver(const wire::EncodedDelivery& delivery);
    // Closes every socket on this node: their devices reconnect, to any node, and catch
    // up from storage (after the bus between nodes was down and may have lost events).
    void close_all();
    std::size_t devices() const;

private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::vector<std::shared_ptr<DeviceSession>>> by_user_;
    std::size_t count_ = 0;
};

}  // namespace flow::realtime
