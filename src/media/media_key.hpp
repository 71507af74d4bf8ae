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

// The key of a media object's thumbnail, beside it in the same store.
inline std::string thumbnail_key(std::string_view media_id) { return std::string(media_id) + "-thumb"; }

// Removes a media object's bytes and its thumbnail's (if it has one); throws
// MediaStoreError for a store that fails.
inline void remove_media_objects(MediaStore& store, const std::string& media_id) {
    store.remove(media_id);
    store.remove(thumbnail_key(media_id));
}

}  // namespace flow
