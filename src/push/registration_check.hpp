#pragma once

#include "common/result.hpp"
#include "domain/device.hpp"

namespace flow::push {

// Whether a push service could take pushes for this registration: an https endpoint, a
// Web Push subscription's p256dh a point on P-256 and its auth secret 16 bytes, an FCM
// token of the characters FCM uses, an APNs device token in hex. `invalid_push` saying
// what is wrong otherwise.
Status check_registration(const PushRegistration& registration);

}  // namespace flow::push
