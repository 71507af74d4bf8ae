#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "media/media_store.hpp"
#include "storage/media_catalog.hpp"
#include "storage/story_store.hpp"

namespace flow {

// What one sweep removed.
struct SweepResult {
    std::size_t media_removed = 0;
    // Media whose record went but whose bytes the store failed to remove: wasted space.
    std::vector<std::string> bytes_left_behind;
};

// Deletes the records of those of `media_ids` that nothing uses (MediaCatalog::
// remove_unused), then their bytes: the record goes first, so nobody is given media whose
// bytes are gone; bytes left behind by a failing store are only wasted space. Blocking.
SweepResult remove_unused_media(MediaCatalog& catalog, MediaStore& store, const std::vector<std::string>& media_ids);

// The periodic clean-up: deletes expired stories with their views, then media nothing
// uses any more (no message, profile, chat picture or live story): at once for media an
// expired story had, after an hour for other uploads (time to attach them). app/ runs it
// on a timer on the blocking pool. Blocking; one sweep at a time.
class StorySweeper {
public:
    static constexpr TimeMs kUnusedUploadGraceMs = 3600 * 1000;
    // Bounds one sweep's work; the next sweep takes the rest.
    static constexpr int kMaxMediaPerSweep = 1000;

    StorySweeper(StoryStore& stories, MediaCatalog& catalog, MediaStore& store, const Clock& clock)
        : stories_(stories), catalog_(catalog), store_(store), clock_(clock) {}

    SweepResult run();

private:
    StoryStore& stories_;
    MediaCatalog& catalog_;
    MediaStore& store_;
    const Clock& clock_;
};

}  // namespace flow
