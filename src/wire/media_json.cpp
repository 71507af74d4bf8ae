#include "wire/media_json.hpp"

namespace flow::wire {

boost::json::object to_json(const Media& media) {
    boost::json::object json{{"id", media.id},
                             {"kind", to_string(media.kind)},
                             {"mime", media.mime},
                             {"size", media.size},
                             {"sha256", media.sha256},
                             {"created_at", media.created_at}};
    if (media.width) json["width"] = *media.width;
    if (media.height) json["height"] = *media.height;
    if (media.duration_ms) json["duration_ms"] = *media.duration_ms;
    return json;
}

}  // namespace flow::wire
