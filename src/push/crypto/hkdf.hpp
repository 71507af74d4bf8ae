#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flow::push {

// HKDF-SHA-256 (RFC 5869), extract then expand: `length` bytes (at most 255 * 32) of key
// from `ikm` under `salt` and `info`. Pure, thread-safe; throws std::runtime_error only if
// OpenSSL itself fails.
std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info,
                        std::size_t length);

}  // namespace flow::push
