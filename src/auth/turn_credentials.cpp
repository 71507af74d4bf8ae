#include "auth/turn_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace flow {

TurnCredential make_turn_credential(std::string_view secret, std::string_view user_id,
                                    long long expires_at_unix_s) {
    TurnCredential out;
    out.username = std::to_string(expires_at_unix_s) + ":" + std::string(user_id);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(out.username.data()), out.username.size(), digest, &length);
    out.credential.resize(4 * ((length + 2) / 3));
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.credential.data()), digest, static_cast<int>(length));
    return out;
}

}  // namespace flow
