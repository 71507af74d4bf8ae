#include "push/crypto/web_push_encryption.hpp"

#include <sodium.h>

#include <cstdint>
#include <stdexcept>

#include "push/crypto/hkdf.hpp"
#include "push/crypto/openssl_handles.hpp"
#include "push/crypto/p256.hpp"

namespace flow::push {
namespace {

constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kAuthSecretSize = 16;
constexpr std::size_t kKeySize = 16;    // AES-128
constexpr std::size_t kNonceSize = 12;  // AES-GCM's IV
constexpr std::size_t kTagSize = 16;
constexpr char kLastRecordDelimiter = 0x02;  // RFC 8188 section 2: the final record

// Labels of RFC 8291 section 3.4 and RFC 8188 section 2.2, each ending in one NUL byte
// (the string_views include it).
constexpr std::string_view kKeyInfo{"WebPush: info\0", 14};
constexpr std::string_view kCekInfo{"Content-Encoding: aes128gcm\0", 28};
constexpr std::string_view kNonceInfo{"Content-Encoding: nonce\0", 24};

void append_u32_be(std::string& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

std::string aes128gcm_seal(std::string_view key, std::string_view nonce, std::string_view plain) {
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    std::string out(plain.size() + kTagSize, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    int length = 0;
    int final_length = 0;
    // AES-GCM's default IV length is 12 bytes, the nonce's.
    if (!ctx ||
        EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_gcm(),
                            reinterpret_cast<const unsigned char*>(key.data()),
                            reinterpret_cast<const unsigned char*>(nonce.data()), nullptr) != 1 ||
        EVP_EncryptUpdate(ctx.get(), bytes, &length,
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), bytes + length, &final_length) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, bytes + plain.size()) != 1) {
        throw std::runtime_error("AES-128-GCM: " + take_openssl_error());
    }
    return out;
}

// RFC 8291 section 3.4 then RFC 8188 section 2, for one record.
Result<std::string> seal(std::string_view plaintext, std::string_view ua_public,
                         std::string_view auth_secret, std::string_view salt,
                         const EVP_PKEY* as_key) {
    if (plaintext.size() > kMaxWebPushPlaintext) {
        return Error{ErrorKind::too_large, "push_payload_too_large",
                     "a Web Push payload is at most 4079 bytes", {}};
    }
    PkeyPtr ua_key = p256::public_key_from_bytes(ua_public);
    if (!ua_key) return Error::invalid("invalid_push", "p256dh is not a P-256 public key");
    if (auth_secret.size() != kAuthSecretSize) {
        return Error::invalid("invalid_push", "the auth secret is not 16 bytes");
    }
    std::string as_public = p256::public_bytes(as_key);
    std::string ecdh_secret = p256::ecdh(as_key, ua_key.get());
    if (as_public.empty() || ecdh_secret.empty()) throw std::runtime_error("Web Push ECDH failed");

    std::string key_info = std::string(kKeyInfo) + std::string(ua_public) + as_public;
    std::string ikm = hkdf_sha256(auth_secret, ecdh_secret, key_info, 32);
    std::string cek = hkdf_sha256(salt, ikm, kCekInfo, kKeySize);
    // The nonce of record 0 is the derived nonce itself (XORed with the sequence number 0).
    std::string nonce = hkdf_sha256(salt, ikm, kNonceInfo, kNonceSize);

    std::string body(salt);
    append_u32_be(body, kWebPushRecordSize);
    body += static_cast<char>(as_public.size());
    body += as_public;
    std::string record(plaintext);
    record += kLastRecordDelimiter;
    body += aes128gcm_seal(cek, nonce, record);
    return body;
}

}  // namespace

bool is_valid_p256_public_key(std::string_view bytes) {
    return p256::public_key_from_bytes(bytes) != nullptr;
}

Result<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                     std::string_view auth_secret) {
    std::string salt(kSaltSize, '\0');
    randombytes_buf(salt.data(), salt.size());
    PkeyPtr ephemeral = p256::generate();
    return seal(plaintext, ua_public, auth_secret, salt, ephemeral.get());
}

Result<std::string> encrypt_web_push(std::string_view plaintext, std::string_view ua_public,
                                     std::string_view auth_secret,
                                     const WebPushSenderSecrets& secrets) {
    PkeyPtr ephemeral = p256::key_from_private_bytes(secrets.private_key);
    if (secrets.salt.size() != kSaltSize || !ephemeral) {
        return Error::invalid("invalid_secrets", "the salt or the ephemeral key is malformed");
    }
    return seal(plaintext, ua_public, auth_secret, secrets.salt, ephemeral.get());
}

}  // namespace flow::push
