#include "push/registration_check.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "push/crypto/base64url.hpp"
#include "push/crypto/web_push_encryption.hpp"

namespace flow::push {

namespace {

Error invalid_push(std::string message) { return Error::invalid("invalid_push", std::move(message)); }

// Pushes are POSTed to the endpoint: only over TLS, so that what Flow sends goes nowhere
// in the clear, and a service that does not speak TLS (a database on an internal
// address) never gets a request it would parse.
bool is_https_url(const std::string& text) {
    auto url = boost::urls::parse_absolute_uri(text);
    return url && url->scheme() == "https" && !url->host().empty() && !url->has_fragment();
}

bool is_fcm_token(const std::string& token) {
    return !token.empty() && std::all_of(token.begin(), token.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-' || c == ':' || c == '.';
    });
}

bool is_apns_token(const std::string& token) {
    return token.size() >= 64 && token.size() <= 200 && token.size() % 2 == 0 &&
           std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isxdigit(c); });
}

}  // namespace

Status check_registration(const PushRegistration& r) {
    switch (r.kind) {
        case PushKind::webpush: {
            if (!is_https_url(r.endpoint)) return invalid_push("endpoint must be an https URL");
            const auto p256dh = base64url_decode(r.p256dh);
            if (!p256dh || !is_valid_p256_public_key(*p256dh))
                return invalid_push("keys.p256dh must be a P-256 public key, uncompressed, in base64url");
            const auto auth = base64url_decode(r.auth);
            if (!auth || auth->size() != 16) return invalid_push("keys.auth must be 16 bytes in base64url");
            return Ok{};
        }
        case PushKind::fcm:
            if (!is_fcm_token(r.token)) return invalid_push("token must be an FCM registration token");
            return Ok{};
        case PushKind::apns:
            if (!is_apns_token(r.token)) return invalid_push("token must be an APNs device token in hex");
            return Ok{};
        case PushKind::unifiedpush:
            if (!is_https_url(r.endpoint)) return invalid_push("endpoint must be an https URL");
            return Ok{};
    }
    return invalid_push("unknown kind");
}

}  // namespace flow::push
