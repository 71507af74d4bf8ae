#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace flow::push {

// Web Push message encryption (RFC 8291) in the aes128gcm content coding (RFC 8188):
// what makes a push body readable only by the browser that subscribed. Pure functions,
// thread-safe.

// The record size Flow writes, and so the largest plaintext: one record holds the
// plaintext, a 1-byte padding delimiter and the 16-byte AES-GCM tag.
constexpr std::size_t kWebPushRecordSize = 4096;
constexpr std::size_t kMaxWebPushPlaintext = kWebPushRecordSize - 16 - 1;  // 4079

// Whether `bytes` is a P-256 public key as a subscription's `p256dh` carries it (once
// base64url-decoded): 65 bytes, 0x04, then a point on the curve.
bool is_valid_p256_public_key(std::string_view bytes);

// The request body for a push to the subscription whose keys are `ua_public` (p256dh,
// 65 bytes) and `auth_secret` (16 bytes): salt(16) | rs(4, 4096) | idlen(1, 65) | the
// sender's ephemeral public key(65) | one record, plaintext || 0x02 sealed with
// AES-128-GCM. A fresh salt and ephemeral key each call. Errors: invalid_argument
// `invalid_push` for subscription keys of the wrong form; too_large
// `push_payload_too_large` for a plaintext over kMaxWebPushPlaintext.
Result<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                     std::string_view auth_secret);

// What encrypt_web_push draws at random, given instead: for tests (RFC 8291's example).
struct WebPushSenderSecrets {
    std::string_view salt;         // 16 bytes
    std::string_view private_key;  // the ephemeral P-256 scalar, 32 bytes
};
// The same as above with `secrets`; invalid_argument `invalid_secrets` if they are not of
// the form above.
Result<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                     std::string_view auth_secret,
                                     const WebPushSenderSecrets& secrets);

}  // namespace flow::push
