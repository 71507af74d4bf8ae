#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/media.hpp"
#include "media/media_store.hpp"
#include "media/thumbnail_maker.hpp"
#include "storage/media_catalog.hpp"

namespace flow {

// Each image's and video's thumbnail: made once, soon after the upload, on a few threads
// of its own (decoding takes seconds, and the maker waits for a child process), from a
// bounded queue; kept in the media store beside the media (thumbnail_key), written whole
// before the catalog says `ready`, so a crash or failure never leaves a partial one being
// served. A file that does not decode is recorded as having none. A thumbnail still
// pending when asked for is queued again if its upload is older than kRequeueAfterMs: the
// job was lost (a restart, a full queue) or another node's failed for want of means.
// Thread-safe; stop() before the catalog and store go.
class ThumbnailService {
public:
    static constexpr TimeMs kRequeueAfterMs = 60 * 1000;
    static constexpr std::size_t kMaxThumbnailBytes = 1024 * 1024;

    // No threads (or no maker): thumbnails are neither made nor promised, and those made
    // before are still served.
    ThumbnailService(MediaCatalog& catalog, MediaStore& store, ThumbnailMaker* maker, const Clock& clock,
                     std::size_t threads, std::size_t capacity);
    ~ThumbnailService();  // stop()
    ThumbnailService(const ThumbnailService&) = delete;
    ThumbnailService& operator=(const ThumbnailService&) = delete;

    // Queues the making of `media`'s thumbnail, unless it is no image or video, is
    // queued or being made already, or the queue is full (it is made when asked for).
    void request(const Media& media);
    // The JPEG of `media`'s thumbnail (the caller may see `media`), or not_found with code
    // `no_thumbnail` (there is none and will be none) or `thumbnail_pending` (with a
    // retry_after: it is being made). Blocking.
    Result<std::string> read(const Media& media);
    // Cancels the makes under way (they stay pending), drops the queue, joins the threads.
    void stop();

private:
    void work();
    void make(const Media& media);
    bool makes(const Media& media) const;

    MediaCatalog& catalog_;
    MediaStore& store_;
    ThumbnailMaker* maker_;
    const Clock& clock_;
    const std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Media> queue_;     // guarded by mutex_
    std::set<std::string> ids_;   // queued or being made; guarded by mutex_
    bool stopping_ = false;       // guarded by mutex_
    std::vector<std::thread> threads_;
};

}  // namespace flow
