#pragma once

#include <string>

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
    // Keeps this node counted as alive; called every few seconds.
    virtual void heartbeat() {}
};

// One node is the whole service: its first device is the first anywhere.
class LocalDeviceRegistry final : public DeviceRegistry {
public:
    bool arrived(const std::string&) override { return true; }
    bool left(const std::string&) override { return true; }
};

}  // namespace flow
