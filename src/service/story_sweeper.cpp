#include "service/story_sweeper.hpp"

#include "media/media_key.hpp"

namespace flow {

SweepResult remove_unused_media(MediaCatalog& catalog, MediaStore& store, const std::vector<std::string>& media_ids) {
    SweepResult result;
    const auto removed = catalog.remove_unused(media_ids);
    result.media_removed = removed.size();
    for (const auto& id : removed) {
        try {
            remove_media_objects(store, id);
        } catch (const MediaStoreError&) {
            result.bytes_left_behind.push_back(id);
        }
    }
    return result;
}

SweepResult StorySweeper::run() {
    const TimeMs now = clock_.now_ms();
    auto candidates = stories_.remove_expired(now);
    const auto old = catalog_.unused_before(now - kUnusedUploadGraceMs, kMaxMediaPerSweep);
    candidates.insert(candidates.end(), old.begin(), old.end());
    return remove_unused_media(catalog_, store_, candidates);
}

}  // namespace flow
