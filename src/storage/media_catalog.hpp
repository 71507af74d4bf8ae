#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/media.hpp"

namespace flow {

// A user's uploads that nothing uses yet: how many, their bytes, and the oldest's time.
struct UnusedUploads {
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
    TimeMs oldest_at = 0;  // 0 when there are none
};

// What is known of each media object (its bytes are in a MediaStore), and who may see
// it. Thread-safe; may block; writes are durable when they return.
class MediaCatalog {
public:
    virtual ~MediaCatalog() = default;

    virtual void insert(const Media& media) = 0;
    virtual std::optional<Media> find(const std::string& media_id) = 0;
    // Whether `user_id` may read it at `now`: they uploaded it, or it is attached to a
    // message they can see (not expired at `now`), a picture of a chat they are in, a profile picture, or a story
    // live at `now` whose owner is them or shares a chat with them.
    virtual bool visible_to(const std::string& media_id, const std::string& user_id, TimeMs now) = 0;
    // What is known of its thumbnail (pending for media with no record of one).
    virtual ThumbnailState thumbnail_of(const std::string& media_id) = 0;
    // Records it; false when there is no such media (any more).
    virtual bool set_thumbnail(const std::string& media_id, ThumbnailState state) = 0;
    // Up to `limit` media created before `created_before` that nothing uses: no message,
    // profile, chat picture or story, nor the copy of a reported message.
    virtual std::vector<std::string> unused_before(TimeMs created_before, int limit) = 0;
    // `owner_id`'s uploads that nothing uses (see unused_before).
    virtual UnusedUploads unused_of(const std::string& owner_id) = 0;
    // Their ids.
    virtual std::vector<std::string> unused_ids_of(const std::string& owner_id) = 0;
    // Deletes the records of those of `media_ids` that nothing uses (checked as each is
    // deleted, so one attached meanwhile stays); returns the ids deleted, whose bytes the
    // caller then removes from the MediaStore.
    virtual std::vector<std::string> remove_unused(const std::vector<std::string>& media_ids) = 0;
    // Deletes the record whatever uses it (an operator's purge); false for no such media.
    // What used it keeps the id, and reads no media there any more.
    virtual bool remove(const std::string& media_id) = 0;
};

}  // namespace flow
