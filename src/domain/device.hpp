#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace flow {

// What kind of machine a device is, as its client says at sign-in.
enum class Platform { web, android, ios, desktop, other };

std::string_view to_string(Platform platform);
std::optional<Platform> platform_from(std::string_view name);

// The service that wakes a device whose socket is closed.
enum class PushKind { webpush, fcm, apns, unifiedpush };

std::string_view to_string(PushKind kind);
std::optional<PushKind> push_kind_from(std::string_view name);

// Where a device takes its pushes. Which fields a kind uses:
// - webpush: `endpoint` (the browser's push service URL) and the subscription's keys
//   `p256dh` (its P-256 public key) and `auth` (16 bytes), both base64url as sent;
// - fcm: `token`, the app's registration token;
// - apns: `token`, the device token (hex), and `voip` for a PushKit registration, which
//   takes calls only;
// - unifiedpush: `endpoint`, a URL that takes a plain POST.
struct PushRegistration {
    PushKind kind = PushKind::webpush;
    std::string endpoint;
    std::string p256dh;
    std::string auth;
    std::string token;
    bool voip = false;
};

// What a client says of its device when it signs in.
struct DeviceInfo {
    std::string name;
    Platform platform = Platform::other;
};

// One sign-in of a user: one token, and what the user sees of it in their device list.
struct Device {
    std::string id;  // the session's
    std::string user_id;
    std::string name;
    Platform platform = Platform::other;
    TimeMs created_at = 0;
    TimeMs last_seen_at = 0;
    std::optional<PushRegistration> push;
};

// How often a device's last_seen_at is written as it makes requests: coarser than a
// request, since every write costs, and fine enough for a list of devices.
inline constexpr TimeMs kDeviceSeenEveryMs = 60'000;

}  // namespace flow
