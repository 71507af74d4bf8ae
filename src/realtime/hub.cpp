#include "realtime/hub.hpp"

#include <algorithm>
#include <mutex>

namespace flow::realtime {

namespace {

// How many of a user's sockets on this node are the device's (the session's).
std::size_t sockets_of(const std::vector<std::shared_ptr<DeviceSession>>& devices, const std::string& session_id) {
    return std::count_if(devices.begin(), devices.end(),
                         [&](const auto& d) { return d->caller().session_id == session_id; });
}

bool wanted(const wire::EncodedDelivery& delivery, const std::string& session_id) {
    if (!delivery.only_session.empty()) return session_id == delivery.only_session;
    return session_id != delivery.except_session;
}

}  // namespace

Hub::Change Hub::attach(const std::shared_ptr<DeviceSession>& device) {
    std::unique_lock lock(mutex_);
    auto& devices = by_user_[device->caller().user_id];
    devices.push_back(device);
    ++count_;
    return {devices.size() == 1, sockets_of(devices, device->caller().session_id) == 1};
}

Hub::Change Hub::detach(const DeviceSession& device) {
    std::unique_lock lock(mutex_);
    auto it = by_user_.find(device.caller().user_id);
    if (it == by_user_.end()) return {};
    auto& devices = it->second;
    const auto removed = std::erase_if(devices, [&](const auto& d) { return d.get() == &device; });
    if (removed == 0) return {};
    count_ -= removed;
    const Change change{devices.empty(), sockets_of(devices, device.caller().session_id) == 0};
    if (devices.empty()) by_user_.erase(it);
    return change;
}

void Hub::deliver(const wire::EncodedDelivery& delivery) {
    std::vector<std::shared_ptr<DeviceSession>> recipients;
    {
        std::shared_lock lock(mutex_);
        for (const auto& user_id : delivery.user_ids) {
            auto it = by_user_.find(user_id);
            if (it == by_user_.end()) continue;
            for (const auto& device : it->second)
                if (wanted(delivery, device->caller().session_id)) recipients.push_back(device);
        }
    }
    if (recipients.empty()) return;

    if (!delivery.ended_session.empty()) {
        for (const auto& device : recipients)
            if (device->caller().session_id == delivery.ended_session) device->close();
        return;
    }
    const auto event = OutboundEvent::frame(delivery);
    for (const auto& device : recipients) device->push(event);
}

void Hub::close_all() {
    std::vector<std::shared_ptr<DeviceSession>> devices;
    {
        std::shared_lock lock(mutex_);
        for (const auto& [user, list] : by_user_) devices.insert(devices.end(), list.begin(), list.end());
    }
    for (const auto& device : devices) device->close();
}

std::size_t Hub::devices() const {
    std::shared_lock lock(mutex_);
    return count_;
}

}  // namespace flow::realtime
