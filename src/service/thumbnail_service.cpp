#include "service/thumbnail_service.hpp"

#include <spdlog/spdlog.h>

#include "common/thread_name.hpp"
#include "media/media_key.hpp"

namespace flow {

namespace {

// How much of the media each read from the store brings.
constexpr std::uint64_t kChunkBytes = 1024 * 1024;

Error no_thumbnail(std::string message) { return {ErrorKind::not_found, "no_thumbnail", std::move(message), {}}; }

}  // namespace

ThumbnailService::ThumbnailService(MediaCatalog& catalog, MediaStore& store, ThumbnailMaker* maker, const Clock& clock,
                                   std::size_t threads, std::size_t capacity)
    : catalog_(catalog), store_(store), maker_(threads > 0 ? maker : nullptr), clock_(clock), capacity_(capacity) {
    if (!maker_) return;
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

ThumbnailService::~ThumbnailService() { stop(); }

bool ThumbnailService::makes(const Media& media) const {
    return maker_ && has_thumbnail(media.kind) && maker_->can_make(media.mime);
}

void ThumbnailService::request(const Media& media) {
    if (!makes(media)) return;
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= capacity_ || !ids_.insert(media.id).second) return;
        queue_.push_back(media);
    }
    wake_.notify_one();
}

Result<std::string> ThumbnailService::read(const Media& media) {
    if (!has_thumbnail(media.kind))
        return no_thumbnail("only images and videos have thumbnails; this media is " +
                            std::string(to_string(media.kind)));
    auto state = catalog_.thumbnail_of(media.id);
    if (state == ThumbnailState::ready) {
        try {
            auto jpeg = store_.read(thumbnail_key(media.id), 0, kMaxThumbnailBytes);
            if (!jpeg.empty()) return jpeg;
        } catch (const MediaNotFoundError&) {
        }
        // Recorded but gone from the store (restored from an older copy?): made again.
        spdlog::warn("media {}: its thumbnail is missing from the store; making it again", media.id);
        catalog_.set_thumbnail(media.id, ThumbnailState::pending);
        state = ThumbnailState::pending;
        request(media);
    } else if (state == ThumbnailState::pending && clock_.now_ms() - media.created_at >= kRequeueAfterMs) {
        request(media);
    }
    if (state == ThumbnailState::none) return no_thumbnail("the file could not be decoded: it has no thumbnail");
    if (!makes(media)) return no_thumbnail("this server makes no thumbnails of " + media.mime);
    return Error{ErrorKind::not_found, "thumbnail_pending", "the thumbnail is being made; try again shortly", 1};
}

void ThumbnailService::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        queue_.clear();
    }
    if (maker_) maker_->cancel();
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
}

void ThumbnailService::work() {
    name_this_thread("flow-thumbnail");
    for (;;) {
        Media media;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            media = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            make(media);
        } catch (const std::exception& e) {
            spdlog::warn("media {}: no thumbnail made now: {}", media.id, e.what());
        }
        std::lock_guard lock(mutex_);
        ids_.erase(media.id);
    }
}

void ThumbnailService::make(const Media& media) {
    if (catalog_.thumbnail_of(media.id) != ThumbnailState::pending) return;  // made meanwhile (another node)
    auto made = maker_->make(media.mime, [&](std::uint64_t offset) { return store_.read(media.id, offset, kChunkBytes); });
    switch (made.outcome) {
        case MadeThumbnail::Outcome::made: {
            const auto key = thumbnail_key(media.id);
            auto writer = store_.create(key);
            writer->write(made.jpeg);
            writer->commit();
            // Only now is it served. Media removed meanwhile takes its thumbnail along.
            if (!catalog_.set_thumbnail(media.id, ThumbnailState::ready)) store_.remove(key);
            spdlog::debug("media {}: thumbnail made ({} bytes)", media.id, made.jpeg.size());
            break;
        }
        case MadeThumbnail::Outcome::impossible:
            catalog_.set_thumbnail(media.id, ThumbnailState::none);
            spdlog::info("media {} ({}) has no thumbnail: {}", media.id, media.mime, made.detail);
            break;
        case MadeThumbnail::Outcome::failed:
            spdlog::warn("media {}: no thumbnail made now: {}", media.id, made.detail);
            break;
    }
}

}  // namespace flow
