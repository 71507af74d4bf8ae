#include "push/services/web_push.hpp"

#include <sodium.h>

#include <boost/json/serialize.hpp>

#include "push/crypto/base64url.hpp"
#include "push/crypto/vapid.hpp"
#include "push/crypto/web_push_encryption.hpp"

namespace flow::push {

namespace {

// How long a VAPID signature holds: push services take at most 24 hours.
constexpr long long kVapidValidSeconds = 12 * 3600;

// RFC 8030's Topic (at most 32 base64url characters), by which a push service replaces a
// push it still holds with a newer one of the same chat or call: a hash of its key.
std::string topic_of(const std::string& key) {
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr, 0);
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(hash), sizeof hash));
}

}  // namespace

Result<OutgoingPush> WebPushService::prepare(const Device& device, const PushContent& content, TimeMs now) {
    const auto& subscription = *device.push;
    const auto p256dh = base64url_decode(subscription.p256dh);
    const auto auth = base64url_decode(subscription.auth);
    if (!p256dh || !auth) return Error::invalid("invalid_push", "the subscription's keys are not base64url");
    auto body = encrypt_web_push(boost::json::serialize(web_push_json(content)), *p256dh, *auth);
    if (!body) return std::move(body).error();
    auto authorization = vapid_authorization(vapid_key_, subscription.endpoint, subject_, now / 1000 + kVapidValidSeconds);
    if (!authorization) return std::move(authorization).error();
    OutgoingPush push;
    push.device_id = device.id;
    push.kind = PushKind::webpush;
    push.url = subscription.endpoint;
    push.headers = {"Authorization: " + *authorization,
                    "Content-Encoding: aes128gcm",
                    "Content-Type: application/octet-stream",
                    "TTL: " + std::to_string(content.ttl_ms() / 1000),
                    std::string("Urgency: ") + (content.urgent() ? "high" : "normal"),
                    "Topic: " + topic_of(content.collapse_key())};
    push.body = std::move(*body);
    push.deadline_ms = now + content.ttl_ms();
    return push;
}

}  // namespace flow::push
