#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

namespace flow {

// Which users have a device connected anywhere in the service, so that presence changes
// when a user's first device connects on any node and when their last one leaves.
// Told of a user's first device on this node and of the last one leaving it. Blocking
// (a shared registry asks Redis): call it on the blocking pool. Thread-safe.
class DeviceRegistry {
public:
    virtual ~DeviceRegistry() = default;
    // The user has a device on this node now; true when no other node has one.
    virtual bool arrived(const std::string& user_id) = 0;
    // The user has no device on this node any more; true when no other node has one.
    virtual bool left(const std::string& user_id) = 0;
    // Whether the user has a device on some live node now. When that cannot be known
    // (the shared registry is away) the answer is true: nothing is ended for it.
    virtual bool connected(const std::string& user_id) = 0;
    // Keeps this node counted as alive; called every few seconds.
    virtual void heartbeat() {}
};

// One node is the whole service: its first device is the first anywhere. Counts, rather
// than records, arrivals and departures, as they may be reported out of order.
class LocalDeviceRegistry final : public DeviceRegistry {
public:
    bool arrived(const std::string& user_id) override { return change(user_id, +1); }
    bool left(const std::string& user_id) override { return change(user_id, -1); }
    bool connected(const std::string& user_id) override {
        std::lock_guard lock(mutex_);
        const auto it = users_.find(user_id);
        return it != users_.end() && it->second > 0;
    }

private:
    bool change(const std::string& user_id, int by) {
        std::lock_guard lock(mutex_);
        if ((users_[user_id] += by) == 0) users_.erase(user_id);
        return true;
    }

    std::mutex mutex_;
    std::unordered_map<std::string, int> users_;  // arrivals less departures, when not 0
};

}  // namespace flow
