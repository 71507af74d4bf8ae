#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace flow::push {

// A private key that signs JWTs: a P-256 key (ES256: VAPID, and APNs's .p8 keys) or an
// RSA key of at least 2048 bits (RS256: the `private_key` of a Google service account).
// Immutable once made; copies share one OpenSSL key, and any number of threads may sign
// with it at once.
class SigningKey {
public:
    // PEM text: PKCS#8 ("BEGIN PRIVATE KEY"), SEC 1 ("BEGIN EC PRIVATE KEY") or PKCS#1
    // ("BEGIN RSA PRIVATE KEY"); leading and trailing text is ignored. Refused with
    // invalid_argument `invalid_key`: anything unreadable, an encrypted PEM, other curves
    // and key types, RSA under 2048 bits.
    static Result<SigningKey> from_pem(std::string_view pem);
    // A new random P-256 key (for a VAPID key made on first start).
    static SigningKey generate_p256();

    // The private key as PKCS#8 PEM, unencrypted: from_pem reads it back.
    std::string to_pem() const;
    bool is_p256() const { return !public_key_.empty(); }
    // For a P-256 key, its public key as the 65-byte uncompressed point 0x04||X||Y (what
    // VAPID's `k` and browsers' applicationServerKey carry); empty for an RSA key.
    const std::string& public_key_uncompressed() const { return public_key_; }

    // The OpenSSL key, for signing; owned by this object (and its copies).
    EVP_PKEY* native() const { return key_.get(); }

private:
    explicit SigningKey(std::shared_ptr<EVP_PKEY> key);

    std::shared_ptr<EVP_PKEY> key_;
    std::string public_key_;
};

}  // namespace flow::push
