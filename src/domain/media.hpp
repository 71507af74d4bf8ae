#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace flow {

enum class MediaKind { image, audio, video, file };

std::string_view to_string(MediaKind kind);
std::optional<MediaKind> media_kind_from(std::string_view name);
// The kind of a (sniffed) mime type: image/*, audio/*, video/*, anything else a file.
MediaKind media_kind_of(std::string_view mime);

// An uploaded file: what it is (sniffed from its bytes, never taken from the client),
// who uploaded it, and where its bytes are kept.
struct Media {
    std::string id;
    std::string owner_id;
    MediaKind kind = MediaKind::file;
    std::string mime;
    std::uint64_t size = 0;
    std::string sha256;  // hex
    TimeMs created_at = 0;
    std::optional<int> width;
    std::optional<int> height;
    std::optional<std::int64_t> duration_ms;
};

// Whether a media object's thumbnail (a JPEG at most kThumbnailSide px on its longer
// side) exists: `pending` until it was made (`ready`) or found impossible (`none`: a file
// that does not decode).
enum class ThumbnailState { pending, ready, none };
inline constexpr int kThumbnailSide = 320;
// Images and videos (a poster: the first frame) have thumbnails; other kinds never do.
bool has_thumbnail(MediaKind kind);

// Whether `media` may be attached by `user_id` as `use` ("image" for a profile or group
// picture; a message type otherwise): only one's own uploads, and of a fitting kind (a
// file message takes any kind).
Status check_can_attach(const Media& media, const std::string& user_id, std::string_view use);

}  // namespace flow
