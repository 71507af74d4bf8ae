#include "realtime/socket_quota.hpp"

namespace flow::realtime {

SocketQuota::Slot& SocketQuota::Slot::operator=(Slot&& other) noexcept {
    if (this != &other) {
        release();
        quota_ = std::exchange(other.quota_, nullptr);
        device_ = std::move(other.device_);
    }
    return *this;
}

void SocketQuota::Slot::release() {
    if (auto* quota = std::exchange(quota_, nullptr)) quota->give_back(device_);
}

std::optional<SocketQuota::Slot> SocketQuota::acquire(const std::string& device) {
    std::lock_guard lock(mutex_);
    auto& open = open_[device];
    if (open >= per_device_) {
        if (open == 0) open_.erase(device);
        return std::nullopt;
    }
    ++open;
    return Slot(this, device);
}

void SocketQuota::give_back(const std::string& device) {
    std::lock_guard lock(mutex_);
    const auto it = open_.find(device);
    if (it == open_.end()) return;
    if (--it->second == 0) open_.erase(it);
}

}  // namespace flow::realtime
