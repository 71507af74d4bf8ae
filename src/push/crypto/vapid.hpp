#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "push/crypto/signing_key.hpp"

namespace flow::push {

// VAPID (RFC 8292): how a Web Push request proves which application server sent it.
// Pure functions, thread-safe.

// The origin of a push endpoint, the JWT's `aud`: "scheme://host[:port]", scheme and
// host in lower case, the port left out when it is the scheme's default (RFC 6454).
// nullopt unless `endpoint_url` is an absolute http or https URL with a host.
std::optional<std::string> push_endpoint_origin(std::string_view endpoint_url);

// The Authorization header value "vapid t=<JWT>, k=<public key>" for a request to
// `endpoint_url`: an ES256 JWT of {"aud": origin, "exp": expires_at_s, "sub": subject}
// and the key's uncompressed public point in base64url. `subject` is a "mailto:" or
// "https:" URL; `expires_at_s` (Unix seconds) must be within 24 hours for push services
// to accept it. invalid_argument `invalid_push` for an endpoint push_endpoint_origin
// refuses; invalid_argument `invalid_key` for a key that is not P-256.
Result<std::string> vapid_authorization(const SigningKey& key, std::string_view endpoint_url,
                                        std::string_view subject, long long expires_at_s);

}  // namespace flow::push
