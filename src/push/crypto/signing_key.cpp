#include "push/crypto/signing_key.hpp"

#include <openssl/pem.h>

#include <stdexcept>

#include "push/crypto/openssl_handles.hpp"
#include "push/crypto/p256.hpp"

namespace flow::push {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxPemSize = 64 * 1024;

// Without a callback, OpenSSL would ask for an encrypted PEM's passphrase on the terminal.
int no_passphrase(char*, int, int, void*) {
    return -1;
}

Error invalid_key(std::string message) {
    return Error::invalid("invalid_key", std::move(message));
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {
    if (p256::is_p256(key_.get())) {
        public_key_ = p256::public_bytes(key_.get());
        if (public_key_.empty()) throw std::runtime_error("P-256 key without a public point");
    }
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem) {
    if (pem.size() > kMaxPemSize) return invalid_key("the PEM text is too large");
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return invalid_key(take_openssl_error());
    EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
    if (raw == nullptr) {
        return invalid_key("not a PEM private key (or an encrypted one): " + take_openssl_error());
    }
    std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
    if (EVP_PKEY_is_a(raw, "RSA")) {
        if (EVP_PKEY_get_bits(raw) < kMinRsaBits) return invalid_key("an RSA key under 2048 bits");
        return SigningKey(std::move(key));
    }
    if (!p256::is_p256(raw)) return invalid_key("neither a P-256 EC key nor an RSA key");
    return SigningKey(std::move(key));
}

SigningKey SigningKey::generate_p256() {
    return SigningKey(std::shared_ptr<EVP_PKEY>(p256::generate().release(), EVP_PKEY_free));
}

std::string SigningKey::to_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    // PEM_write_bio_PrivateKey writes PKCS#8 in OpenSSL 3.
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        throw std::runtime_error("writing a private key as PEM: " + take_openssl_error());
    }
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace flow::push
