#pragma once

#include <string>
#include <string_view>

#include "media/media_store.hpp"

namespace flow {

// Keys of media objects: 1 to 64 of [0-9a-z_-]. Safe as a file name and as an S3 key
// without encoding, and every store accepts the same ones.
inline bool is_valid_media_key(std::string_view key) {
    if (key.empty() || key.size() > 64) return false;
    for (char c : key) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

// Throws MediaStoreError for a key that is_valid_media_key refuses.
inline void check_media_key(std::string_view key) {
    if (!is_valid_media_key(key))
        throw MediaStoreError("invalid media key \"" + std::string(key.substr(0, 80)) + '"');
}

}  // namespace flow
