#include "service/story_sweeper.hpp"

#include "media/media_key.hpp"

namespace flow {

SweepResult StorySweeper::run() {
    const TimeMs now = clock_.now_ms();
    auto candidates = stories_.remove_expired(now);
    const auto old = catalog_.unused_before(now - kUnusedUploadGraceMs, kMaxMediaPerSweep);
    candidates.insert(candidates.end(), old.begin(), old.end());
    // The record goes first, so nobody is given media whose bytes are gone; bytes left
    // behind by a failing store are only wasted space.
    SweepResult result;
    const auto removed = catalog_.remove_unused(candidates);
    result.media_removed = removed.size();
    for (const auto& id : removed) {
        try {
            remove_media_objects(store_, id);
        } catch (const MediaStoreError&) {
            result.bytes_left_behind.push_back(id);
        }
    }
    return result;
}

}  // namespace flow
