#pragma once

#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/device.hpp"
#include "service/auth_service.hpp"
#include "storage/device_store.hpp"

namespace flow {

// A user's devices: listing them, signing one out, and where pushes reach each. Blocking
// (storage): call it on the blocking pool. Thread-safe.
class DeviceService {
public:
    DeviceService(DeviceStore& store, EventBus& bus, const Clock& clock) : store_(store), bus_(bus), clock_(clock) {}

    std::vector<Device> list(const Caller& caller);
    // Signs one of the caller's devices out: its token stops working at once and its
    // sockets close, on every node. not_found for a device that is not the caller's.
    Status remove(const Caller& caller, const std::string& device_id);
    // Replaces the caller's device's push registration; `invalid_push` for one no push
    // service would take.
    Status register_push(const Caller& caller, const PushRegistration& registration);
    void unregister_push(const Caller& caller);

private:
    DeviceStore& store_;
    EventBus& bus_;
    const Clock& clock_;
};

}  // namespace flow
