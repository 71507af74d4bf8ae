#include "push/crypto/p256.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace flow::push::p256 {
namespace {

using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpensslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OpensslDeleter<OSSL_PARAM_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, OpensslDeleter<EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, OpensslDeleter<EC_POINT_free>>;

constexpr char kGroup[] = "prime256v1";

// EVP_PKEY_fromdata with the group and what `add` pushes; null (and the error queue
// cleared) if OpenSSL refuses the parameters.
template <class Add>
PkeyPtr from_params(int selection, Add add) {
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroup, 0) ||
        !add(builder.get())) {
        ERR_clear_error();
        return nullptr;
    }
    ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return PkeyPtr(key);
}

// EVP_PKEY_fromdata is not documented to validate what it imports (3.0 happens to refuse
// a point off the curve); this is the check that is: on the curve, not the point at
// infinity, of the group's order.
bool public_check(EVP_PKEY* key) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    bool ok = ctx && EVP_PKEY_public_check(ctx.get()) == 1;
    if (!ok) ERR_clear_error();
    return ok;
}

}  // namespace

bool is_p256(const EVP_PKEY* key) {
    if (key == nullptr || !EVP_PKEY_is_a(key, "EC")) return false;
    char name[64];
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(key, name, sizeof name, &length) != 1) {
        ERR_clear_error();
        return false;
    }
    return std::strcmp(name, kGroup) == 0;
}

PkeyPtr public_key_from_bytes(std::string_view point) {
    if (point.size() != kPublicKeySize || point[0] != 0x04) return nullptr;
    PkeyPtr key = from_params(EVP_PKEY_PUBLIC_KEY, [&](OSSL_PARAM_BLD* b) {
        return OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                                point.size());
    });
    if (!key || !public_check(key.get())) return nullptr;
    return key;
}

PkeyPtr key_from_private_bytes(std::string_view scalar) {
    if (scalar.size() != kPrivateKeySize) return nullptr;
    BignumPtr d(BN_bin2bn(reinterpret_cast<const unsigned char*>(scalar.data()),
                          static_cast<int>(scalar.size()), nullptr));
    GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!d || !group || BN_is_zero(d.get()) ||
        BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) {
        ERR_clear_error();
        return nullptr;
    }
    // OpenSSL 3.0's fromdata does not derive the public point from the scalar: compute it.
    PointPtr point(EC_POINT_new(group.get()));
    unsigned char encoded[kPublicKeySize];
    if (!point || EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
        EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, encoded,
                           sizeof encoded, nullptr) != sizeof encoded) {
        ERR_clear_error();
        return nullptr;
    }
    return from_params(EVP_PKEY_KEYPAIR, [&](OSSL_PARAM_BLD* b) {
        return OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d.get()) &&
               OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, encoded,
                                                sizeof encoded);
    });
}

PkeyPtr generate() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (key == nullptr) throw std::runtime_error("P-256 key generation: " + take_openssl_error());
    return PkeyPtr(key);
}

std::string public_bytes(const EVP_PKEY* key) {
    // X and Y rather than the encoded public key, which follows the point format the key
    // was loaded with (a PEM may carry a compressed point).
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
              EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1;
    BignumPtr owned_x(x), owned_y(y);
    std::string out(kPublicKeySize, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    bytes[0] = 0x04;
    if (!ok || BN_bn2binpad(x, bytes + 1, 32) != 32 || BN_bn2binpad(y, bytes + 33, 32) != 32) {
        ERR_clear_error();
        return {};
    }
    return out;
}

std::string ecdh(const EVP_PKEY* own_private, const EVP_PKEY* peer_public) {
    // The EVP API takes non-const keys but only reads them here.
    PkeyCtxPtr ctx(
        EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(own_private), nullptr));
    std::size_t length = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer(ctx.get(), const_cast<EVP_PKEY*>(peer_public)) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1) {
        ERR_clear_error();
        return {};
    }
    std::string secret(length, '\0');
    if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &length) != 1) {
        ERR_clear_error();
        return {};
    }
    secret.resize(length);
    return secret;
}

}  // namespace flow::push::p256
