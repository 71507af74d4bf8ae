#pragma once

#include <string>
#include <string_view>

#include "push/crypto/signing_key.hpp"

namespace flow::push {

// JWS compact serialisations (RFC 7515) of the JWTs push services want: VAPID's and
// APNs's (ES256) and the assertion a Google service account trades for an access token
// (RS256). Pure functions, thread-safe.

// "ES256" for a P-256 key, "RS256" for an RSA key: the `alg` the header must name.
std::string_view jwt_algorithm(const SigningKey& key);

// b64url(header_json).b64url(claims_json).b64url(signature), the JSON taken as given (the
// caller writes it, `alg` included). ES256 signatures are JOSE's raw 64-byte R||S, not
// DER; RS256 is RSASSA-PKCS1-v1_5 with SHA-256. Throws std::runtime_error only if
// OpenSSL itself fails.
std::string sign_jwt(const SigningKey& key, std::string_view header_json,
                     std::string_view claims_json);

}  // namespace flow::push
