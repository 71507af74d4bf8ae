#include "push/crypto/jwt.hpp"

#include <openssl/ec.h>

#include <memory>
#include <stdexcept>

#include "push/crypto/base64url.hpp"
#include "push/crypto/openssl_handles.hpp"

namespace flow::push {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpensslDeleter<ECDSA_SIG_free>>;

// P-256's R and S are 32 bytes each; JOSE joins them left-padded (RFC 7518 section 3.4).
constexpr int kCoordinateSize = 32;

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("JWT signing: ") + what + ": " + take_openssl_error());
}

std::string der_to_jose(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) fail("reading the ECDSA signature");
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string out(2 * kCoordinateSize, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    if (BN_bn2binpad(r, bytes, kCoordinateSize) != kCoordinateSize ||
        BN_bn2binpad(s, bytes + kCoordinateSize, kCoordinateSize) != kCoordinateSize) {
        fail("encoding R||S");
    }
    return out;
}

// SHA-256 and the key's own scheme: ECDSA (DER) for EC, PKCS#1 v1.5 for RSA (the default).
std::string sign_sha256(EVP_PKEY* key, std::string_view message) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1) {
        fail("init");
    }
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    std::size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()) != 1) fail("size");
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                       message.size()) != 1) {
        fail("sign");
    }
    signature.resize(length);
    return signature;
}

}  // namespace

std::string_view jwt_algorithm(const SigningKey& key) {
    return key.is_p256() ? "ES256" : "RS256";
}

std::string sign_jwt(const SigningKey& key, std::string_view header_json,
                     std::string_view claims_json) {
    std::string jwt = base64url_encode(header_json) + '.' + base64url_encode(claims_json);
    std::string signature = sign_sha256(key.native(), jwt);
    if (key.is_p256()) signature = der_to_jose(signature);
    jwt += '.';
    jwt += base64url_encode(signature);
    return jwt;
}

}  // namespace flow::push
