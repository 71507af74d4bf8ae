#pragma once

#include <string>
#include <string_view>

namespace flow {

// Random secrets handed to clients and the keyed hash under which Flow stores them, so
// that a copy of the database alone reveals no usable token or code. Thread-safe.
class Secrets {
public:
    // `key` is any byte string of at least 16 bytes; it is reduced to a 32-byte key.
    explicit Secrets(std::string_view key);

    // Six uniformly random decimal digits.
    static std::string new_otp_code();
    // A bearer token: "flw_" and 43 base64url characters (256 random bits).
    static std::string new_token();

    // The keyed BLAKE2b-256 hash of `secret`, as 32 raw bytes.
    std::string hash(std::string_view secret) const;
    // Whether two hashes are equal, in time that does not depend on where they differ.
    static bool equal(std::string_view a, std::string_view b);

private:
    unsigned char key_[32];
};

}  // namespace flow
