#include "wire/device_json.hpp"

namespace flow::wire {

namespace {

constexpr std::size_t kMaxDeviceName = 64;
constexpr std::size_t kMaxEndpoint = 2048;
constexpr std::size_t kMaxToken = 4096;
constexpr std::size_t kMaxKey = 256;

Error invalid_push(std::string message) { return Error::invalid("invalid_push", std::move(message)); }

}  // namespace

Result<DeviceInfo> read_device_info(JsonReader& in) {
    DeviceInfo info;
    const auto* device = in.optional_field("device");
    if (!device || device->is_null()) return info;
    if (device->is_string()) {
        info.name = in.string("device", kMaxDeviceName);
        return info;
    }
    if (!device->is_object()) return Error::invalid("invalid_field", "device must be a name or {name, platform}");
    JsonReader fields(*device);
    info.name = fields.optional_string("name", kMaxDeviceName).value_or("");
    const auto platform = fields.optional_string("platform");
    if (fields.error()) return *fields.error();
    if (platform) {
        const auto known = platform_from(*platform);
        if (!known) return Error::invalid("invalid_field", "platform is one of web, android, ios, desktop, other");
        info.platform = *known;
    }
    return info;
}

boost::json::object to_json(const Device& device, bool current) {
    return {{"id", device.id},
            {"name", device.name},
            {"platform", to_string(device.platform)},
            {"created_at", device.created_at},
            {"last_seen_at", device.last_seen_at},
            {"current", current},
            {"push", device.push ? boost::json::value(to_string(device.push->kind)) : boost::json::value(nullptr)}};
}

Result<PushRegistration> read_push_registration(std::string_view body) {
    JsonReader in(body);
    const auto kind_name = in.string("kind");
    if (in.error()) return *in.error();
    const auto kind = push_kind_from(kind_name);
    if (!kind) return invalid_push("kind is one of webpush, fcm, apns, unifiedpush");
    PushRegistration registration{*kind, {}, {}, {}, {}, false};
    switch (*kind) {
        case PushKind::webpush: {
            registration.endpoint = in.string("endpoint", kMaxEndpoint);
            const auto* keys = in.optional_field("keys");
            if (in.error()) return *in.error();
            if (!keys || !keys->is_object()) return invalid_push("a Web Push subscription has keys {p256dh, auth}");
            JsonReader key(*keys);
            registration.p256dh = key.string("p256dh", kMaxKey);
            registration.auth = key.string("auth", kMaxKey);
            if (key.error()) return invalid_push("a Web Push subscription has keys {p256dh, auth}: " + key.error()->message);
            break;
        }
        case PushKind::fcm:
            registration.token = in.string("token", kMaxToken);
            break;
        case PushKind::apns:
            registration.token = in.string("token", kMaxToken);
            registration.voip = in.optional_boolean("voip").value_or(false);
            break;
        case PushKind::unifiedpush:
            registration.endpoint = in.string("endpoint", kMaxEndpoint);
            break;
    }
    if (in.error()) return *in.error();
    return registration;
}

}  // namespace flow::wire
