#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flow::push {

// base64url (RFC 4648 section 5), the encoding of JWTs, VAPID keys and Web Push
// subscriptions' keys. Pure functions, thread-safe.

// Without '=' padding, as JOSE and Web Push want it.
std::string base64url_encode(std::string_view bytes);

// With or without '=' padding; nullopt for any other character, whitespace, a wrong length
// or padding, or unused trailing bits that are not zero (so each byte string has one text).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace flow::push
