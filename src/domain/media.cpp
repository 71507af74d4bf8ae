#include "domain/media.hpp"

namespace flow {

std::string_view to_string(MediaKind kind) {
    switch (kind) {
        case MediaKind::image: return "image";
        case MediaKind::audio: return "audio";
        case MediaKind::video: return "video";
        case MediaKind::file: return "file";
    }
    return "file";
}

std::optional<MediaKind> media_kind_from(std::string_view name) {
    for (auto kind : {MediaKind::image, MediaKind::audio, MediaKind::video, MediaKind::file})
        if (to_string(kind) == name) return kind;
    return std::nullopt;
}

MediaKind media_kind_of(std::string_view mime) {
    if (mime.starts_with("image/")) return MediaKind::image;
    if (mime.starts_with("audio/")) return MediaKind::audio;
    if (mime.starts_with("video/")) return MediaKind::video;
    return MediaKind::file;
}

bool has_thumbnail(MediaKind kind) { return kind == MediaKind::image || kind == MediaKind::video; }

Status check_can_attach(const Media& media, const std::string& user_id, std::string_view use) {
    if (media.owner_id != user_id)
        return Error::invalid("invalid_media", "media must be one you uploaded");
    if (use != "file" && to_string(media.kind) != use)
        return Error::invalid("invalid_media", "this media is " + std::string(to_string(media.kind)) +
                                                   ", not " + std::string(use));
    return Ok{};
}

}  // namespace flow
