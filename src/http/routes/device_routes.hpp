#pragma once

#include <string>

#include "http/router.hpp"
#include "service/device_service.hpp"

namespace flow::http {

// /devices: the caller's devices, signing one out, and the current device's push
// registration; /push/vapid_public_key, the key browsers subscribe to Web Push with.
void add_device_routes(Router& router, DeviceService& devices, std::string vapid_public_key);

}  // namespace flow::http
