#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "common/result.hpp"
#include "domain/device.hpp"
#include "wire/json_reader.hpp"

namespace flow::wire {

// The `device` of a sign-in: absent, a name alone (a string, as clients sent it before
// platforms), or `{name?, platform?}`.
Result<DeviceInfo> read_device_info(JsonReader& in);

// A device as its user sees it: `{id, name, platform, created_at, last_seen_at, current,
// push}`, push the registered kind or null; `current` for the device asking.
boost::json::object to_json(const Device& device, bool current);

// The body of PUT /devices/current/push: `{kind: "webpush", endpoint, keys: {p256dh,
// auth}}`, `{kind: "fcm", token}`, `{kind: "apns", token, voip?}` or `{kind:
// "unifiedpush", endpoint}`, read for its shape (which fields, of which types, how long);
// what the values hold is the push layer's to check.
Result<PushRegistration> read_push_registration(std::string_view body);

}  // namespace flow::wire
