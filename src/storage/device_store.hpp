#pragma once

#include <string>
#include <vector>

#include "domain/device.hpp"

namespace flow {

// Users' devices (their sessions, as a user sees them) and where pushes reach each.
// Implementations are thread-safe, may block, and have made a write durable when they
// return.
class DeviceStore {
public:
    virtual ~DeviceStore() = default;

    // The user's devices, oldest first, each with its push registration.
    virtual std::vector<Device> devices_of(const std::string& user_id) = 0;
    // Ends one of the user's devices: its token, delivery cursors and push registration
    // go. False when the user has no such device.
    virtual bool remove(const std::string& user_id, const std::string& device_id) = 0;
    // Ends all of the user's devices.
    virtual void remove_all(const std::string& user_id) = 0;
    // Replaces the device's push registration.
    virtual void set_push(const std::string& device_id, const PushRegistration& registration, TimeMs now) = 0;
    virtual void clear_push(const std::string& device_id) = 0;
    // The devices of these users that have a push registration.
    virtual std::vector<Device> push_devices(const std::vector<std::string>& user_ids) = 0;
};

}  // namespace flow
