#include "auth/secrets.hpp"

#include <sodium.h>

#include <stdexcept>

namespace flow {

Secrets::Secrets(std::string_view key) {
    if (key.size() < 16) throw std::invalid_argument("the secret key must be at least 16 bytes");
    crypto_generichash(key_, sizeof key_, reinterpret_cast<const unsigned char*>(key.data()),
                       key.size(), nullptr, 0);
}

std::string Secrets::new_otp_code() {
    std::string code = std::to_string(randombytes_uniform(1'000'000));
    return std::string(6 - code.size(), '0') + code;
}

std::string Secrets::new_token() {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    char text[sodium_base64_ENCODED_LEN(sizeof bytes, kVariant)];
    sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, kVariant);
    return std::string("flw_") + text;
}

std::string Secrets::hash(std::string_view secret) const {
    std::string out(32, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), key_,
                       sizeof key_);
    return out;
}

bool Secrets::equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace flow
