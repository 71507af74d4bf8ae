#include "service/device_service.hpp"

#include "push/registration_check.hpp"

namespace flow {

std::vector<Device> DeviceService::list(const Caller& caller) { return store_.devices_of(caller.user_id); }

Status DeviceService::remove(const Caller& caller, const std::string& device_id) {
    if (!store_.remove(caller.user_id, device_id)) return Error::not_found("no such device");
    bus_.publish({{caller.user_id}, "", event::SessionEnded{device_id}, ""});
    return Ok{};
}

Status DeviceService::register_push(const Caller& caller, const PushRegistration& registration) {
    if (auto valid = push::check_registration(registration); !valid) return valid;
    store_.set_push(caller.session_id, registration, clock_.now_ms());
    return Ok{};
}

void DeviceService::unregister_push(const Caller& caller) { store_.clear_push(caller.session_id); }

}  // namespace flow
