#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "push/crypto/base64url.hpp"
#include "push/crypto/jwt.hpp"
#include "push/crypto/openssl_handles.hpp"
#include "push/crypto/p256.hpp"
#include "push/crypto/signing_key.hpp"
#include "push/crypto/vapid.hpp"
#include "push/crypto/web_push_encryption.hpp"

namespace flow::push {
namespace {

class PushCryptoTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }
};

std::string b64d(std::string_view text) {
    auto bytes = base64url_decode(text);
    EXPECT_TRUE(bytes.has_value()) << text;
    return bytes.value_or("");
}

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
}

std::vector<std::string> split_jwt(const std::string& jwt) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = jwt.find('.', start)) != std::string::npos; start = dot + 1) {
        parts.push_back(jwt.substr(start, dot - start));
    }
    parts.push_back(jwt.substr(start));
    return parts;
}

// --- base64url -------------------------------------------------------------------------

TEST_F(PushCryptoTest, Base64urlEncodesWithTheUrlAlphabetAndNoPadding) {
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
    EXPECT_EQ(base64url_encode(std::string("\xfb\xff\xbf", 3)), "-_-_");
}

TEST_F(PushCryptoTest, Base64urlRoundTripsEveryLength) {
    for (std::size_t n = 0; n < 70; ++n) {
        std::string bytes(n, '\0');
        randombytes_buf(bytes.data(), bytes.size());
        std::string text = base64url_encode(bytes);
        EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
        EXPECT_EQ(base64url_decode(text), bytes) << n;
        // The padded form decodes to the same bytes.
        std::string padded = text + std::string((4 - text.size() % 4) % 4, '=');
        EXPECT_EQ(base64url_decode(padded), bytes) << padded;
    }
}

TEST_F(PushCryptoTest, Base64urlDecodeRefusesWhatIsNotCanonicalBase64url) {
    for (std::string_view bad : {
             "Z",         // a length no byte string has
             "Zh",        // unused bits not zero ("Zg" is the one text of "f")
             "Zg=",       // padding short of a multiple of 4
             "Zg===",     // too much padding
             "Zm9v====",  // padding of a whole group
             "Zm8==",     // padding the length does not call for
             "====",      // padding only
             "=Zg=",      // padding first
             "Zg==Zg==",  // padding inside
             "Zm9v!",     // outside the alphabet
             "Zm 9v",     // whitespace
             "Zm9v\n",    //
             "+/8",       // the standard alphabet's characters
         }) {
        EXPECT_FALSE(base64url_decode(bad).has_value()) << bad;
    }
    EXPECT_EQ(base64url_decode("Zg=="), "f");
    EXPECT_EQ(base64url_decode("Zm8="), "fo");
    EXPECT_EQ(base64url_decode(""), "");
}

// --- Web Push encryption (RFC 8291) -----------------------------------------------------

// RFC 8291 section 5 and Appendix A: the example's keys, salt, secret and message.
constexpr std::string_view kRfcPlaintext = "When I grow up, I want to be a watermelon";
constexpr std::string_view kRfcAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr std::string_view kRfcAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr std::string_view kRfcUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr std::string_view kRfcUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr std::string_view kRfcSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr std::string_view kRfcAuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr std::string_view kRfcBody =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
    "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
    "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[32];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
    return std::string(reinterpret_cast<char*>(out), length);
}

std::string hkdf_one_block(std::string_view salt, std::string_view ikm, std::string_view info,
                           std::size_t length) {
    std::string prk = hmac_sha256(salt, ikm);
    return hmac_sha256(prk, std::string(info) + '\x01').substr(0, length);
}

// What a browser does with a push body, written apart from the code under test (HKDF
// from HMAC, its own header parsing): ECDH with the UA's private key, RFC 8291's key
// derivation, AES-128-GCM open, the padding delimiter stripped. nullopt if anything fails.
std::optional<std::string> decrypt_as_browser(std::string_view body, std::string_view ua_private,
                                              std::string_view auth_secret) {
    if (body.size() < 21) return std::nullopt;
    std::string_view salt = body.substr(0, 16);
    auto rs = (std::uint32_t(std::uint8_t(body[16])) << 24) |
              (std::uint32_t(std::uint8_t(body[17])) << 16) |
              (std::uint32_t(std::uint8_t(body[18])) << 8) | std::uint32_t(std::uint8_t(body[19]));
    std::size_t idlen = std::uint8_t(body[20]);
    if (idlen != 65 || body.size() < 21 + idlen + 17 || body.size() - 21 - idlen > rs) {
        return std::nullopt;
    }
    std::string_view as_public = body.substr(21, idlen);
    std::string_view record = body.substr(21 + idlen);

    PkeyPtr ua_key = p256::key_from_private_bytes(ua_private);
    PkeyPtr as_key = p256::public_key_from_bytes(as_public);
    if (!ua_key || !as_key) return std::nullopt;
    std::string ua_public = p256::public_bytes(ua_key.get());
    std::string ecdh_secret = p256::ecdh(ua_key.get(), as_key.get());

    std::string key_info = std::string("WebPush: info") + '\0' + ua_public + std::string(as_public);
    std::string ikm = hkdf_one_block(auth_secret, ecdh_secret, key_info, 32);
    std::string cek =
        hkdf_one_block(salt, ikm, std::string("Content-Encoding: aes128gcm") + '\0', 16);
    std::string nonce =
        hkdf_one_block(salt, ikm, std::string("Content-Encoding: nonce") + '\0', 12);

    std::string_view ciphertext = record.substr(0, record.size() - 16);
    std::string tag(record.substr(record.size() - 16));
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    std::string plain(ciphertext.size(), '\0');
    int length = 0;
    int final_length = 0;
    auto* out = reinterpret_cast<unsigned char*>(plain.data());
    if (EVP_DecryptInit_ex2(ctx.get(), EVP_aes_128_gcm(),
                            reinterpret_cast<const unsigned char*>(cek.data()),
                            reinterpret_cast<const unsigned char*>(nonce.data()), nullptr) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out, &length,
                          reinterpret_cast<const unsigned char*>(ciphertext.data()),
                          static_cast<int>(ciphertext.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), out + length, &final_length) != 1) {
        return std::nullopt;
    }
    // The last record: the data, then 0x02, then any zero padding.
    std::size_t end = plain.find_last_not_of('\0');
    if (end == std::string::npos || plain[end] != '\x02') return std::nullopt;
    plain.resize(end);
    return plain;
}

TEST_F(PushCryptoTest, WebPushEncryptionReproducesRfc8291AppendixA) {
    auto body = encrypt_web_push(kRfcPlaintext, b64d(kRfcUaPublic), b64d(kRfcAuthSecret),
                                 {.salt = b64d(kRfcSalt), .private_key = b64d(kRfcAsPrivate)});
    ASSERT_TRUE(body.ok()) << body.error().message;
    EXPECT_EQ(base64url_encode(*body), kRfcBody);
    // The header carries the sender's public key the RFC lists for its private key.
    EXPECT_EQ(body->substr(21, 65), b64d(kRfcAsPublic));
    EXPECT_EQ(decrypt_as_browser(*body, b64d(kRfcUaPrivate), b64d(kRfcAuthSecret)), kRfcPlaintext);
}

TEST_F(PushCryptoTest, WebPushEncryptionOpensForTheSubscriberWithFreshSaltAndKeyEachTime) {
    PkeyPtr ua = p256::generate();
    std::string ua_private(32, '\0');
    BIGNUM* d = nullptr;
    ASSERT_EQ(EVP_PKEY_get_bn_param(ua.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
    ASSERT_EQ(BN_bn2binpad(d, reinterpret_cast<unsigned char*>(ua_private.data()), 32), 32);
    BN_free(d);
    std::string ua_public = p256::public_bytes(ua.get());
    std::string auth(16, '\0');
    randombytes_buf(auth.data(), auth.size());
    std::string payload = R"({"type":"message","chat_id":"c1","preview":"héllo"})";

    auto first = encrypt_web_push(payload, ua_public, auth);
    auto second = encrypt_web_push(payload, ua_public, auth);
    ASSERT_TRUE(first.ok() && second.ok());
    ASSERT_EQ(first->size(), 16 + 4 + 1 + 65 + payload.size() + 1 + 16);
    EXPECT_EQ(first->substr(16, 5), std::string("\x00\x00\x10\x00\x41", 5));  // rs 4096, idlen 65
    EXPECT_NE(first->substr(0, 16), second->substr(0, 16));                   // salt
    EXPECT_NE(first->substr(21, 65), second->substr(21, 65));                 // ephemeral key
    EXPECT_EQ(decrypt_as_browser(*first, ua_private, auth), payload);
    EXPECT_EQ(decrypt_as_browser(*second, ua_private, auth), payload);

    std::string wrong_auth = auth;
    wrong_auth[0] ^= 1;
    EXPECT_EQ(decrypt_as_browser(*first, ua_private, wrong_auth), std::nullopt);
    std::string tampered = *first;
    tampered.back() ^= 1;
    EXPECT_EQ(decrypt_as_browser(tampered, ua_private, auth), std::nullopt);
}

TEST_F(PushCryptoTest, WebPushEncryptionTakesOneRecordAtMost) {
    std::string ua_public = b64d(kRfcUaPublic);
    std::string auth = b64d(kRfcAuthSecret);
    std::string largest(kMaxWebPushPlaintext, 'x');
    auto body = encrypt_web_push(largest, ua_public, auth);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(body->size(), 86 + kWebPushRecordSize);
    EXPECT_EQ(decrypt_as_browser(*body, b64d(kRfcUaPrivate), auth), largest);

    auto too_large = encrypt_web_push(largest + 'x', ua_public, auth);
    ASSERT_FALSE(too_large.ok());
    EXPECT_EQ(too_large.error().kind, ErrorKind::too_large);
    EXPECT_EQ(too_large.error().code, "push_payload_too_large");

    EXPECT_TRUE(encrypt_web_push("", ua_public, auth).ok());
}

TEST_F(PushCryptoTest, WebPushEncryptionRefusesMalformedSubscriptionKeys) {
    std::string ua_public = b64d(kRfcUaPublic);
    std::string auth = b64d(kRfcAuthSecret);
    for (auto result : {encrypt_web_push("hi", ua_public.substr(1), auth),
                        encrypt_web_push("hi", ua_public, auth.substr(1)),
                        encrypt_web_push("hi", ua_public, auth + "x")}) {
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().code, "invalid_push");
    }
    auto bad_secrets = encrypt_web_push("hi", ua_public, auth,
                                        {.salt = "short", .private_key = b64d(kRfcAsPrivate)});
    ASSERT_FALSE(bad_secrets.ok());
    EXPECT_EQ(bad_secrets.error().code, "invalid_secrets");
    auto zero_key = encrypt_web_push(
        "hi", ua_public, auth, {.salt = b64d(kRfcSalt), .private_key = std::string(32, '\0')});
    EXPECT_FALSE(zero_key.ok());
}

TEST_F(PushCryptoTest, P256PublicKeyValidation) {
    std::string good = b64d(kRfcUaPublic);
    ASSERT_EQ(good.size(), 65u);
    EXPECT_TRUE(is_valid_p256_public_key(good));
    EXPECT_TRUE(is_valid_p256_public_key(b64d(kRfcAsPublic)));

    EXPECT_FALSE(is_valid_p256_public_key(""));
    EXPECT_FALSE(is_valid_p256_public_key(good.substr(0, 64)));  // wrong length
    EXPECT_FALSE(is_valid_p256_public_key(good + '\0'));
    EXPECT_FALSE(is_valid_p256_public_key(good.substr(0, 33)));  // a compressed point's size

    std::string compressed_prefix = good;
    compressed_prefix[0] = 0x02;  // wrong prefix
    EXPECT_FALSE(is_valid_p256_public_key(compressed_prefix));
    std::string hybrid_prefix = good;
    hybrid_prefix[0] = 0x06;
    EXPECT_FALSE(is_valid_p256_public_key(hybrid_prefix));

    std::string off_curve = good;
    off_curve.back() ^= 1;  // Y changed: not on the curve
    EXPECT_FALSE(is_valid_p256_public_key(off_curve));
    EXPECT_FALSE(is_valid_p256_public_key(std::string("\x04", 1) + std::string(64, '\0')));
    EXPECT_FALSE(is_valid_p256_public_key(std::string("\x04", 1) + std::string(64, '\xff')));
    EXPECT_EQ(ERR_peek_error(), 0u);
}

// --- Signing keys ---------------------------------------------------------------------

// A P-256 key made with `openssl ecparam -name prime256v1 -genkey -noout` (SEC 1), the
// same key as PKCS#8 (the form of Apple's .p8 files), and its public point as
// `openssl ec -pubout` gives it.
constexpr std::string_view kEcPem = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIGAmJY2NxLR3LP7t76GQUIElVhJ3IXs7lquXJHRGQkD0oAoGCCqGSM49
AwEHoUQDQgAESfPgxpwbXxnEQFFCHBeIO9kPYZHxMQ+ni+kmLg4furp4UDWUxPOf
uZTvxaJvkvs4NFlykNmE1vK9gIogjrvmDA==
-----END EC PRIVATE KEY-----
)";
constexpr std::string_view kEcPkcs8Pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYCYljY3EtHcs/u3v
oZBQgSVWEnchezuWq5ckdEZCQPShRANCAARJ8+DGnBtfGcRAUUIcF4g72Q9hkfEx
D6eL6SYuDh+6unhQNZTE85+5lO/Fom+S+zg0WXKQ2YTW8r2AiiCOu+YM
-----END PRIVATE KEY-----
)";
constexpr std::string_view kEcPublicHex =
    "0449f3e0c69c1b5f19c44051421c17883bd90f6191f1310fa78be9262e0e1fbaba"
    "78503594c4f39fb994efc5a26f92fb3834597290d984d6f2bd808a208ebbe60c";

// A Google service account's credentials file, with a 2048-bit RSA key made for this test.
constexpr std::string_view kServiceAccountJson =
    R"({"type": "service_account", "client_email": "flow@example.iam.gserviceaccount.com", "pri)"
    R"(vate_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoI)"
    R"(BAQCWu2Vc4rLowCkw\nhmLbZtI5EBK93CItLa+8dawh6Dqv9SyU765QhjO5FxF4yvTXr+wLxnMxzzydvXRI\nR6D)"
    R"(L3Y/AyWMNKEoYgIao/hQLFtF9AhDz2o1JHCin7jj3/MIG1QL1SZhq7/oeeiWM\njnAfSk+E/dU/dNuuTAauHSutD)"
    R"(9mZTfIw2s9KKGVVISIgKxY3Hvph82vIjlOG/OS5\nEYxzBlw8kKVCLYf7maCHnaHz+LT7tdNCFKAk4NVwuCAB1gX)"
    R"(179ARmqZsfaNzzF9F\nZGxenSIOv4hIMiIJg1cb+5m5giu0ucIgTkPIvRuuzwbY/ybn5tONBZRXBlV60QXQ\nrcA)"
    R"(Y4NpvAgMBAAECggEARnGxFx55t64q8ds0c05T/EgnQiURseSSp3SlLDmQx/BA\n1CBJ6qc1oBCIYVgU4oJ8wioOZ)"
    R"(x5vuVaz9B3Jp81V5CcaTCliq53RkUQhUOdqo04m\nZxjig+MNmyIJ7NfrQ+8kUUeCXKPn1HuIde6RtwXvMPvCQER)"
    R"(YcNZmHtRSN7DbJLph\nwy+b2e07MmuD4EZhQQ/dfOI7zvMMhtsnL8tcrfpqDDvRwKNVXJqeNhvYjA5jCQBR\nSZJ)"
    R"(IAR1lpgqYFldeU8lk1fhM3g5+Aj2zdQOrcde6FpgQ1PyAQTlHx7kUDa4xYgun\npD4f6fXCvbDDlmwGtkm/4qnl7)"
    R"(jymWHRSxrcx0IqL6QKBgQDJxU4dSNIpttb3Jxil\n66mtohJiZN6s1Ft5HX5Bcg0czXqtM5SfaMG4O2k5xoriiK7)"
    R"(t6XikTuXnMZDK486Z\nRQgskbiswms8Vfu2aIWNz08Kqhwa2BzHYxDEu5whRDNcZ6hl1KIuMX2pjzrzjSjg\nzIK)"
    R"(CtdFSpnamHKJuIGxye0iQZwKBgQC/Pmhqh4+aTI+p/7XjQz7IaE3JxOspdXjN\nnNDvZRAIN95ISs0HyKQr6OADO)"
    R"(kN7khZcQWGXrytqHs4mLIF9rHTXcE9pMHtStkrg\nTANYU5epPMKO7tiAAFCe4V3dCw1Dlks/gJpGnHH4OBBVt6+)"
    R"(7ojO5SSl6ViIHT/Nh\ng6oIEruAuQKBgGfUhc8iEyxuL4796nwvmqCEf4tstv4fRXc9CySoiUDiKJgKrBeg\nM9g)"
    R"(Xkp2tovjSN5qsg22iQELJyeXudvl+gadV0b/tSHvDD4YdoWSJYvZs9YuG3MBq\nJU3n8X9Y9kk9+nV0h4TX6P+he)"
    R"(kesw3VzKFIVOEOc7/+pSpj7THNZJ81PAoGAAwFy\nFqqGwUAOyfcw3p+B7xhkkJU9tOsZuPGL/xcxh0+JeM1kJ4k)"
    R"(pu17vll1mDh0fqNeG\nNyITpplRWBw+9MCvHWuwc9DFP2mKB7hqHQtDSO+hhymN0YUvvy9/kCfKT5OfHyJg\nSlf)"
    R"(PGr2W1CIM6wADnBfgRQHxivfgtVmiZHoW5FECgYEAu38EA070/GMiX2ugmXuL\nq/n3NIUUZCHxmyDWG8d0nBbxI)"
    R"(TSI/Z5PMbXiN1CMtoLrCvnZe2vIdixulXvslTkE\nwg4DFzN1AvBo2motDHo1TOYFx7D8AdVtC674EwRbVe1nDrB)"
    R"(mhAL9d9hOSaPkHHTW\njX7H0y1bGVbsV/jQr6edLzo=\n-----END PRIVATE KEY-----\n"})";
;

std::string service_account_pem() {
    return std::string(
        boost::json::parse(kServiceAccountJson).as_object().at("private_key").as_string());
}

std::string pem_of(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    char passphrase[] = "secret";
    EXPECT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher, cipher ? passphrase : nullptr,
                                            cipher ? 6 : 0, nullptr, nullptr),
              1);
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

TEST_F(PushCryptoTest, SigningKeyReadsP256KeysInSec1AndPkcs8) {
    for (std::string_view pem : {kEcPem, kEcPkcs8Pem}) {
        auto key = SigningKey::from_pem(pem);
        ASSERT_TRUE(key.ok()) << key.error().message;
        EXPECT_TRUE(key->is_p256());
        EXPECT_EQ(key->public_key_uncompressed(), from_hex(kEcPublicHex));
        EXPECT_EQ(jwt_algorithm(*key), "ES256");
    }
    // Text around the PEM block, as in a file with comments, is ignored.
    auto framed = SigningKey::from_pem("Apple key AuthKey_ABC123.p8\n" + std::string(kEcPkcs8Pem) +
                                       "\ntrailing\n");
    ASSERT_TRUE(framed.ok());
    EXPECT_EQ(framed->public_key_uncompressed(), from_hex(kEcPublicHex));
}

TEST_F(PushCryptoTest, SigningKeyReadsAServiceAccountsRsaKey) {
    auto key = SigningKey::from_pem(service_account_pem());
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_FALSE(key->is_p256());
    EXPECT_EQ(key->public_key_uncompressed(), "");
    EXPECT_EQ(jwt_algorithm(*key), "RS256");
}

TEST_F(PushCryptoTest, SigningKeySurvivesToPemAndFromPem) {
    SigningKey key = SigningKey::generate_p256();
    ASSERT_TRUE(key.is_p256());
    ASSERT_EQ(key.public_key_uncompressed().size(), 65u);
    EXPECT_TRUE(is_valid_p256_public_key(key.public_key_uncompressed()));
    std::string pem = key.to_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;

    auto back = SigningKey::from_pem(pem);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->public_key_uncompressed(), key.public_key_uncompressed());
    EXPECT_EQ(back->to_pem(), pem);
    EXPECT_NE(SigningKey::generate_p256().public_key_uncompressed(), key.public_key_uncompressed());

    auto rsa = SigningKey::from_pem(service_account_pem());
    ASSERT_TRUE(rsa.ok());
    auto rsa_back = SigningKey::from_pem(rsa->to_pem());
    ASSERT_TRUE(rsa_back.ok());
    EXPECT_EQ(rsa_back->to_pem(), rsa->to_pem());
}

TEST_F(PushCryptoTest, SigningKeyRefusesWhatItCannotSignWith) {
    std::string truncated(kEcPkcs8Pem.substr(0, 80));
    std::string garbled =
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbCwganVzdCBzb21lIHRleHQ=\n"
        "-----END PRIVATE KEY-----\n";
    PkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    PkeyPtr rsa1024(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}));
    PkeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    PkeyPtr p256 = p256::generate();
    for (const std::string& pem :
         {std::string(), std::string("not a key"), truncated, garbled, pem_of(p384.get()),
          pem_of(rsa1024.get()), pem_of(ed25519.get()), pem_of(p256.get(), EVP_aes_256_cbc())}) {
        auto key = SigningKey::from_pem(pem);
        ASSERT_FALSE(key.ok()) << pem;
        EXPECT_EQ(key.error().code, "invalid_key");
        EXPECT_EQ(key.error().kind, ErrorKind::invalid_argument);
        // Nothing left on the thread's error queue for the next TLS call to trip on.
        EXPECT_EQ(ERR_peek_error(), 0u);
    }
    // The same P-256 key unencrypted is fine: it was the passphrase that was refused.
    EXPECT_TRUE(SigningKey::from_pem(pem_of(p256.get())).ok());
}

// --- JWTs -----------------------------------------------------------------------------

// JOSE's R||S back to the DER ECDSA-Sig-Value OpenSSL verifies.
std::string jose_to_der(std::string_view raw) {
    ECDSA_SIG* sig = ECDSA_SIG_new();
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr), BN_bin2bn(bytes + 32, 32, nullptr));
    unsigned char* der = nullptr;
    int length = i2d_ECDSA_SIG(sig, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

bool verify_sha256(EVP_PKEY* key, std::string_view message, std::string_view signature) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    return EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) ==
               1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1;
}

// Whether an ES256 JWT's signature is 64 bytes of R||S that verifies against `public_key`
// (the uncompressed point) alone.
bool es256_verifies(const std::string& jwt, const std::string& public_key) {
    auto parts = split_jwt(jwt);
    if (parts.size() != 3) return false;
    std::string signature = b64d(parts[2]);
    if (signature.size() != 64) return false;
    PkeyPtr verifier = p256::public_key_from_bytes(public_key);
    return verifier &&
           verify_sha256(verifier.get(), parts[0] + '.' + parts[1], jose_to_der(signature));
}

TEST_F(PushCryptoTest, Es256JwtIsRawRAndSThatVerifiesWithThePublicKey) {
    auto key = SigningKey::from_pem(kEcPem);
    ASSERT_TRUE(key.ok());
    std::string header = R"({"alg":"ES256","kid":"ABC123DEFG"})";
    std::string claims = R"({"iss":"DEF123GHIJ","iat":1700000000})";
    // Many signatures, so that some R or S has leading zero bytes to pad.
    for (int i = 0; i < 100; ++i) {
        std::string jwt = sign_jwt(*key, header, claims);
        auto parts = split_jwt(jwt);
        ASSERT_EQ(parts.size(), 3u);
        EXPECT_EQ(b64d(parts[0]), header);
        EXPECT_EQ(b64d(parts[1]), claims);
        ASSERT_TRUE(es256_verifies(jwt, key->public_key_uncompressed())) << jwt;
    }
    // Another key's public key, or other claims under this signature, do not verify.
    std::string jwt = sign_jwt(*key, header, claims);
    EXPECT_FALSE(es256_verifies(jwt, SigningKey::generate_p256().public_key_uncompressed()));
    auto parts = split_jwt(jwt);
    EXPECT_FALSE(
        es256_verifies(parts[0] + '.' + base64url_encode(R"({"iss":"X"})") + '.' + parts[2],
                       key->public_key_uncompressed()));
}

TEST_F(PushCryptoTest, Rs256JwtMatchesOpensslDgstAndVerifies) {
    auto key = SigningKey::from_pem(service_account_pem());
    ASSERT_TRUE(key.ok());
    std::string header = R"({"alg":"RS256","typ":"JWT"})";
    std::string claims =
        R"({"iss":"flow@example.iam.gserviceaccount.com",)"
        R"("scope":"https://www.googleapis.com/auth/firebase.messaging",)"
        R"("aud":"https://oauth2.googleapis.com/token","iat":1700000000,"exp":1700003600})";
    std::string jwt = sign_jwt(*key, header, claims);
    // RSASSA-PKCS1-v1_5 is deterministic: this is `openssl dgst -sha256 -sign` of the
    // signing input with the same key, base64url-encoded.
    EXPECT_EQ(jwt,
              "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJmbG93QGV4YW1wbGUuaWFtLmdzZXJ2aWN"
              "lYWNjb3VudC5jb20iLCJzY29wZSI6Imh0dHBzOi8vd3d3Lmdvb2dsZWFwaXMuY29tL2F1dGgvZmlyZWJ"
              "hc2UubWVzc2FnaW5nIiwiYXVkIjoiaHR0cHM6Ly9vYXV0aDIuZ29vZ2xlYXBpcy5jb20vdG9rZW4iLCJ"
              "pYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0.HMDXssLu0h4TIqqvybE5LmaChTEjH9ULNrb"
              "kwoNVdhqr3UhySu-HY1Don_3V4Ty5wvTcmK0vi3wmZYKPkUmv5KBDdhiktcBRtQ7WXCEwnVB4d7DA9wU"
              "tCeQZWgw-ZPJXlqaaZW-gAhlQXuUUrH-8j93hRoqm5e6EVlRFwTcCf6IY2v4_UWchYj1fFcHGgHfkkjZ"
              "-21NqkeUiYgBqG1djS7_iCZkU0JHpjaC-kuzPYDog1T4PRjtn5f5LBrS6NxSpPVL9AffOdwXOjIwpxwp"
              "gdfOp96TplydYjZXVrYMl_gi-hYaHpib9CJw_c_sEUMOL0KX1gP2mg3gfCWzVqYYWsQ");
    auto parts = split_jwt(jwt);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(b64d(parts[2]).size(), 256u);
    EXPECT_TRUE(verify_sha256(key->native(), parts[0] + '.' + parts[1], b64d(parts[2])));
}

// --- VAPID ----------------------------------------------------------------------------

TEST_F(PushCryptoTest, PushEndpointOriginIsSchemeHostAndPort) {
    EXPECT_EQ(push_endpoint_origin("https://push.example.net:8443/wpush/v2/gAAAA?x=1#f"),
              "https://push.example.net:8443");
    EXPECT_EQ(push_endpoint_origin("https://fcm.googleapis.com/fcm/send/dR3n:APA91b"),
              "https://fcm.googleapis.com");
    EXPECT_EQ(push_endpoint_origin("HTTPS://Updates.Push.Services.Mozilla.com:443/wpush/v2/x"),
              "https://updates.push.services.mozilla.com");
    EXPECT_EQ(push_endpoint_origin("http://127.0.0.1:9000/push/1"), "http://127.0.0.1:9000");
    EXPECT_EQ(push_endpoint_origin("http://localhost:80/p"), "http://localhost");
    EXPECT_EQ(push_endpoint_origin("https://[::1]:8443/p"), "https://[::1]:8443");
    for (std::string_view bad :
         {"", "not a url", "/relative/path", "push.example.net/x", "ftp://push.example.net/x",
          "https:///no-host", "mailto:a@b.c", "https://exa mple.com/"}) {
        EXPECT_EQ(push_endpoint_origin(bad), std::nullopt) << bad;
    }
}

TEST_F(PushCryptoTest, VapidAuthorizationCarriesASignedJwtForTheEndpointsOrigin) {
    SigningKey key = SigningKey::generate_p256();
    auto header = vapid_authorization(key, "https://push.example.net:8443/wpush/v2/gAAAAABk?x=1",
                                      "mailto:ops@example.com", 1700086400);
    ASSERT_TRUE(header.ok()) << header.error().message;

    constexpr std::string_view kPrefix = "vapid t=";
    ASSERT_EQ(header->rfind(kPrefix, 0), 0u) << *header;
    std::size_t k_at = header->find(", k=");
    ASSERT_NE(k_at, std::string::npos);
    std::string jwt = header->substr(kPrefix.size(), k_at - kPrefix.size());
    EXPECT_EQ(b64d(header->substr(k_at + 4)), key.public_key_uncompressed());

    auto parts = split_jwt(jwt);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(boost::json::parse(b64d(parts[0])),
              boost::json::parse(R"({"typ":"JWT","alg":"ES256"})"));
    EXPECT_EQ(boost::json::parse(b64d(parts[1])),
              boost::json::parse(R"({"aud":"https://push.example.net:8443","exp":1700086400,)"
                                 R"("sub":"mailto:ops@example.com"})"));
    EXPECT_TRUE(es256_verifies(jwt, key.public_key_uncompressed()));
}

TEST_F(PushCryptoTest, VapidAuthorizationEscapesTheSubjectAndRefusesWhatItCannotSign) {
    SigningKey key = SigningKey::generate_p256();
    auto header = vapid_authorization(key, "https://push.example.net/x", "mailto:\"a\"@b.c", 1);
    ASSERT_TRUE(header.ok());
    auto parts = split_jwt(header->substr(8, header->find(", k=") - 8));
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(boost::json::parse(b64d(parts[1])).at("sub").as_string(), "mailto:\"a\"@b.c");

    auto bad_endpoint = vapid_authorization(key, "not a url", "mailto:a@b.c", 1);
    ASSERT_FALSE(bad_endpoint.ok());
    EXPECT_EQ(bad_endpoint.error().code, "invalid_push");

    auto rsa = SigningKey::from_pem(service_account_pem());
    ASSERT_TRUE(rsa.ok());
    auto rsa_vapid = vapid_authorization(*rsa, "https://push.example.net/x", "mailto:a@b.c", 1);
    ASSERT_FALSE(rsa_vapid.ok());
    EXPECT_EQ(rsa_vapid.error().code, "invalid_key");
}

}  // namespace
}  // namespace flow::push
