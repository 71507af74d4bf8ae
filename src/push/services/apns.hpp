#pragma once

#include <mutex>
#include <string>

#include "push/crypto/signing_key.hpp"
#include "push/push_service.hpp"

namespace flow::push {

// What an app's APNs connection needs, from Apple's developer console.
struct ApnsCredentials {
    SigningKey key;        // the .p8 authentication key (P-256)
    std::string key_id;    // its 10-character id
    std::string team_id;   // the developer team's
    std::string topic;     // the app's bundle id
};

// Apple Push Notification service over HTTP/2, with token-based (ES256) authentication:
// an alert with the ids (and the badge), which the app's notification service extension
// turns into what the user sees; a `voip` registration (PushKit) gets calls as VoIP
// pushes, and nothing else.
class ApnsService final : public PushService {
public:
    // `endpoint`: https://api.push.apple.com unless told otherwise (the sandbox is
    // https://api.sandbox.push.apple.com).
    ApnsService(ApnsCredentials credentials, std::string endpoint)
        : credentials_(std::move(credentials)), endpoint_(std::move(endpoint)) {}

    Result<OutgoingPush> prepare(const Device& device, const PushContent& content, TimeMs now) override;
    // Signs a new provider token for the next push.
    void credentials_refused() override;

private:
    // The provider token, signed again every 40 minutes (Apple takes one for an hour, and
    // refuses one signed anew more often than every 20 minutes).
    std::string provider_token(TimeMs now);

    const ApnsCredentials credentials_;
    const std::string endpoint_;
    std::mutex mutex_;
    std::string token_;
    TimeMs token_signed_at_ = 0;
};

}  // namespace flow::push
