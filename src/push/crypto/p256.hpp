#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "push/crypto/openssl_handles.hpp"

namespace flow::push::p256 {

// P-256 keys to and from the raw forms Web Push and VAPID carry them in: a public key
// as the 65-byte uncompressed point 0x04||X||Y, a private key as its 32-byte scalar.
// Thread-safe.

constexpr std::size_t kPublicKeySize = 65;
constexpr std::size_t kPrivateKeySize = 32;

// Whether `key` is an EC key on P-256.
bool is_p256(const EVP_PKEY* key);

// A public key from its uncompressed point; null unless `point` is 65 bytes, starts with
// 0x04 and is on the curve.
PkeyPtr public_key_from_bytes(std::string_view point);

// A key pair from a private scalar (its public point computed); null for a scalar that is
// not 32 bytes or not in [1, n-1].
PkeyPtr key_from_private_bytes(std::string_view scalar);

// A new random key pair. Throws std::runtime_error only if OpenSSL itself fails.
PkeyPtr generate();

// The uncompressed point of a P-256 key, whatever point format it was loaded with.
std::string public_bytes(const EVP_PKEY* key);

// The ECDH shared secret (the X coordinate, 32 bytes); empty on failure.
std::string ecdh(const EVP_PKEY* own_private, const EVP_PKEY* peer_public);

}  // namespace flow::push::p256
