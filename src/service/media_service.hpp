#pragma once

#include <cstdint>
#include <memory>
#include <openssl/evp.h>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/media.hpp"
#include "media/media_store.hpp"
#include "service/auth_service.hpp"
#include "service/thumbnail_service.hpp"
#include "storage/media_catalog.hpp"

namespace flow {

// One upload in progress: takes the bytes as they come (never holding them whole),
// counts and hashes them, keeps the head for sniffing, and on finish() records the
// media and asks for its thumbnail. Blocking (the store); used by one thread at a time.
class MediaUpload {
public:
    MediaUpload(std::string owner_id, std::string media_id, std::unique_ptr<MediaStore::Writer> writer,
                MediaCatalog& catalog, const Clock& clock, std::uint64_t max_bytes, ThumbnailService* thumbnails);
    ~MediaUpload();
    MediaUpload(const MediaUpload&) = delete;
    MediaUpload& operator=(const MediaUpload&) = delete;

    // `too_large` once more than the cap has come.
    Status append(std::string_view bytes);
    // `empty_body` for no bytes at all; otherwise the stored Media.
    Result<Media> finish();

private:
    std::string owner_id_;
    std::string media_id_;
    std::unique_ptr<MediaStore::Writer> writer_;
    MediaCatalog& catalog_;
    const Clock& clock_;
    std::uint64_t max_bytes_;
    ThumbnailService* thumbnails_;
    std::uint64_t size_ = 0;
    std::string head_;
    EVP_MD_CTX* sha256_;
};

// How much a user may have uploaded that nothing uses yet (no message, profile, chat or
// story): such uploads are deleted `unused_lifetime_ms` after they were made, so without a
// cap one user could fill the store in that time. 0 turns a cap off.
struct UploadQuota {
    std::uint64_t max_unused_count = 0;
    std::uint64_t max_unused_bytes = 0;
    TimeMs unused_lifetime_ms = 0;
};

// Media objects: uploading, and reading what one may see. Blocking (catalog, store):
// call it on the blocking pool. Thread-safe.
class MediaService {
public:
    // `thumbnails`: where uploads ask for theirs (none: no thumbnails).
    MediaService(MediaCatalog& catalog, MediaStore& store, const Clock& clock, std::uint64_t max_upload_bytes,
                 UploadQuota quota, ThumbnailService* thumbnails = nullptr)
        : catalog_(catalog), store_(store), clock_(clock), max_upload_bytes_(max_upload_bytes), quota_(quota),
          thumbnails_(thumbnails) {}

    std::uint64_t max_upload_bytes() const { return max_upload_bytes_; }
    // A new upload; `rate_limited` (`too_many_uploads`) while the caller's unused uploads
    // are at their quota, with when the oldest of them goes.
    Result<std::unique_ptr<MediaUpload>> begin_upload(const Caller& caller);
    // The media, when the caller may see it; not_found otherwise (existence is not leaked).
    Result<Media> open(const Caller& caller, const std::string& media_id);
    // The JPEG of its thumbnail, when the caller may see the media (see open() and
    // ThumbnailService::read).
    Result<std::string> thumbnail(const Caller& caller, const std::string& media_id);
    // Up to `length` bytes of its content from `offset` on.
    std::string read(const Media& media, std::uint64_t offset, std::uint64_t length);
    // The media, when `user_id` may attach it as `use` (see check_can_attach).
    Result<Media> attachable(const std::string& user_id, const std::string& media_id, std::string_view use);
    // Deletes the user's uploads that nothing uses (a deleted account's, which nobody else
    // could see), their records, their bytes and their thumbnails.
    void remove_unused_of(const std::string& owner_id);

private:
    MediaCatalog& catalog_;
    MediaStore& store_;
    const Clock& clock_;
    std::uint64_t max_upload_bytes_;
    UploadQuota quota_;
    ThumbnailService* thumbnails_;
};

}  // namespace flow
