#include "http/server/connection_limits.hpp"

#include <utility>

namespace flow::http {

ConnectionLimits::Slot::Slot(Slot&& other) noexcept
    : limits_(std::exchange(other.limits_, nullptr)), address_(std::move(other.address_)),
      per_address_(other.per_address_) {}

ConnectionLimits::Slot& ConnectionLimits::Slot::operator=(Slot&& other) noexcept {
    if (this != &other) {
        if (limits_) limits_->release(address_, per_address_);
        limits_ = std::exchange(other.limits_, nullptr);
        address_ = std::move(other.address_);
        per_address_ = other.per_address_;
    }
    return *this;
}

ConnectionLimits::Slot::~Slot() {
    if (limits_) limits_->release(address_, per_address_);
}

ConnectionLimits::Verdict ConnectionLimits::admit(const std::string& address, bool per_address, Slot& slot) {
    std::lock_guard lock(mutex_);
    if (total_ >= caps_.total) return Verdict::too_many;
    if (per_address) {
        auto& count = by_address_[address];
        if (count >= caps_.per_address) return Verdict::too_many_from_address;
        ++count;
    }
    ++total_;
    slot = Slot(this, address, per_address);
    return Verdict::admitted;
}

void ConnectionLimits::release(const std::string& address, bool per_address) {
    std::lock_guard lock(mutex_);
    --total_;
    if (!per_address) return;
    auto it = by_address_.find(address);
    if (it != by_address_.end() && --it->second == 0) by_address_.erase(it);
}

}  // namespace flow::http
