#pragma once

#include <string>
#include <string_view>

namespace flow {

// A short-lived TURN login in coturn's REST scheme (`use-auth-secret`): the username is
// `<expiry as Unix seconds>:<user_id>`, the credential base64(HMAC-SHA1(secret, username)),
// so coturn can check it with the shared secret alone.
struct TurnCredential {
    std::string username;
    std::string credential;
};

TurnCredential make_turn_credential(std::string_view secret, std::string_view user_id,
                                    long long expires_at_unix_s);

}  // namespace flow
