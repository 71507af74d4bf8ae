#pragma once

#include <mutex>
#include <string>

#include "push/crypto/signing_key.hpp"
#include "push/http_answer.hpp"
#include "push/push_service.hpp"

namespace flow::push {

// A Google service account, from the JSON key file the Firebase console gives.
struct ServiceAccount {
    std::string project_id;
    std::string client_email;
    std::string private_key_id;
    std::string token_uri;
    SigningKey private_key;

    // `invalid_fcm_credentials` for a file that is not a service account's key.
    static Result<ServiceAccount> from_json(const std::string& text);
};

// Firebase Cloud Messaging's HTTP v1 API, to Android apps (and any app with the FCM SDK):
// the ids as data, under an access token that the service account's signed assertion
// (RS256) buys at its token_uri, kept until shortly before it expires.
class FcmService final : public PushService {
public:
    // `endpoint`: the API's base URL, https://fcm.googleapis.com unless told otherwise.
    FcmService(ServiceAccount account, std::string endpoint, HttpFetch fetch)
        : account_(std::move(account)), endpoint_(std::move(endpoint)), fetch_(std::move(fetch)) {}

    Result<OutgoingPush> prepare(const Device& device, const PushContent& content, TimeMs now) override;
    // Forgets the access token: the next push fetches another.
    void credentials_refused() override;

private:
    Result<std::string> access_token(TimeMs now);

    const ServiceAccount account_;
    const std::string endpoint_;
    const HttpFetch fetch_;
    std::mutex mutex_;
    std::string token_;
    TimeMs token_until_ = 0;
};

}  // namespace flow::push
