#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace flow {

// Which users, and which of their devices, have a socket open anywhere in the service:
// presence changes when a user's first device connects on any node and when their last
// one leaves, and a device with no socket anywhere is reached by push. Told of a user's
// first device on this node and of the last one leaving it, and of each device's first
// socket here and its last. Blocking (a shared registry asks Redis): call it on the
// blocking pool. Thread-safe.
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
    // A device (a session) opened its first socket on this node, or closed its last.
    // Counted, so that the two may be reported out of order.
    virtual void device_opened(const std::string& device_id) = 0;
    virtual void device_closed(const std::string& device_id) = 0;
    // For each device, whether it has a socket on some live node now; nullopt when that
    // cannot be known (the shared registry is away).
    virtual std::optional<std::vector<bool>> devices_connected(const std::vector<std::string>& device_ids) = 0;
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
    void device_opened(const std::string& device_id) override { count(devices_, device_id, +1); }
    void device_closed(const std::string& device_id) override { count(devices_, device_id, -1); }
    std::optional<std::vector<bool>> devices_connected(const std::vector<std::string>& device_ids) override {
        std::lock_guard lock(mutex_);
        std::vector<bool> connected;
        for (const auto& id : device_ids) {
            const auto it = devices_.find(id);
            connected.push_back(it != devices_.end() && it->second > 0);
        }
        return connected;
    }

private:
    using Counts = std::unordered_map<std::string, int>;  // arrivals less departures, when not 0

    bool change(const std::string& user_id, int by) {
        count(users_, user_id, by);
        return true;
    }
    void count(Counts& counts, const std::string& id, int by) {
        std::lock_guard lock(mutex_);
        if ((counts[id] += by) == 0) counts.erase(id);
    }

    std::mutex mutex_;
    Counts users_;
    Counts devices_;
};

}  // namespace flow
