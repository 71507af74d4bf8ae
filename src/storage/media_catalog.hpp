#pragma once

#include <optional>
#include <string>

#include "domain/media.hpp"

namespace flow {

// What is known of each media object (its bytes are in a MediaStore), and who may see
// it. Thread-safe; may block; writes are durable when they return.
class MediaCatalog {
public:
    virtual ~MediaCatalog() = default;

    virtual void insert(const Media& media) = 0;
    virtual std::optional<Media> find(const std::string& media_id) = 0;
    // Whether `user_id` may read it: they uploaded it, or it is attached to a message they
    // can see, a picture of a chat they are in, or a profile picture.
    virtual bool visible_to(const std::string& media_id, const std::string& user_id) = 0;
};

}  // namespace flow
