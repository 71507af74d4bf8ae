#pragma once

#include <string>

#include "push/crypto/signing_key.hpp"
#include "push/push_service.hpp"

namespace flow::push {

// Web Push (RFC 8030) to browsers: the body encrypted for the subscription (RFC 8291,
// aes128gcm) and the request signed with the server's VAPID key (RFC 8292).
class WebPushService final : public PushService {
public:
    // `subject`: the "mailto:" or "https:" URL push services may write to about pushes.
    WebPushService(SigningKey vapid_key, std::string subject)
        : vapid_key_(std::move(vapid_key)), subject_(std::move(subject)) {}

    Result<OutgoingPush> prepare(const Device& device, const PushContent& content, TimeMs now) override;

private:
    SigningKey vapid_key_;
    std::string subject_;
};

}  // namespace flow::push
