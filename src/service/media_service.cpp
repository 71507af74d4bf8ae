#include "service/media_service.hpp"

#include <algorithm>
#include <stdexcept>

#include "common/ids.hpp"
#include "media/content_sniffer.hpp"
#include "media/media_key.hpp"

namespace flow {

namespace {

// How much of a file's head libmagic is shown.
constexpr std::size_t kSniffBytes = 64 * 1024;

std::string hex(const unsigned char* bytes, unsigned length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out.push_back(kDigits[bytes[i] >> 4]);
        out.push_back(kDigits[bytes[i] & 15]);
    }
    return out;
}

}  // namespace

MediaUpload::MediaUpload(std::string owner_id, std::string media_id,
                         std::unique_ptr<MediaStore::Writer> writer, MediaCatalog& catalog,
                         const Clock& clock, std::uint64_t max_bytes, ThumbnailService* thumbnails)
    : owner_id_(std::move(owner_id)), media_id_(std::move(media_id)), writer_(std::move(writer)),
      catalog_(catalog), clock_(clock), max_bytes_(max_bytes), thumbnails_(thumbnails), sha256_(EVP_MD_CTX_new()) {
    if (!sha256_ || EVP_DigestInit_ex(sha256_, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("sha256 unavailable");
}

MediaUpload::~MediaUpload() { EVP_MD_CTX_free(sha256_); }

Status MediaUpload::append(std::string_view bytes) {
    size_ += bytes.size();
    if (size_ > max_bytes_)
        return Error{ErrorKind::too_large, "too_large",
                     "the file is larger than " + std::to_string(max_bytes_) + " bytes", {}};
    if (head_.size() < kSniffBytes) head_.append(bytes.substr(0, kSniffBytes - head_.size()));
    EVP_DigestUpdate(sha256_, bytes.data(), bytes.size());
    writer_->write(bytes);
    return Ok{};
}

Result<Media> MediaUpload::finish() {
    if (size_ == 0) return Error::invalid("empty_body", "the upload has no content");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_DigestFinal_ex(sha256_, digest, &length);
    const auto sniffed = sniff_content(head_);
    Media media{media_id_, owner_id_, media_kind_of(sniffed.mime), sniffed.mime, size_,
                hex(digest, length), clock_.now_ms(), sniffed.width, sniffed.height, std::nullopt};
    writer_->commit();
    catalog_.insert(media);
    if (thumbnails_) thumbnails_->request(media);
    return media;
}

Result<std::unique_ptr<MediaUpload>> MediaService::begin_upload(const Caller& caller) {
    if (quota_.max_unused_count || quota_.max_unused_bytes) {
        const auto unused = catalog_.unused_of(caller.user_id);
        if ((quota_.max_unused_count && unused.count >= quota_.max_unused_count) ||
            (quota_.max_unused_bytes && unused.bytes >= quota_.max_unused_bytes)) {
            const TimeMs wait_ms = unused.oldest_at + quota_.unused_lifetime_ms - clock_.now_ms();
            return Error::rate_limited("too_many_uploads",
                                       "too many uploads not yet sent in a message, story or profile",
                                       std::max<long long>(1, (wait_ms + 999) / 1000));
        }
    }
    auto id = new_id(clock_.now_ms());
    auto writer = store_.create(id);
    return std::make_unique<MediaUpload>(caller.user_id, std::move(id), std::move(writer), catalog_,
                                         clock_, max_upload_bytes_, thumbnails_);
}

Result<Media> MediaService::open(const Caller& caller, const std::string& media_id) {
    auto media = catalog_.find(media_id);
    if (!media || !catalog_.visible_to(media_id, caller.user_id, clock_.now_ms())) return Error::not_found("no such media");
    return std::move(*media);
}

Result<std::string> MediaService::thumbnail(const Caller& caller, const std::string& media_id) {
    auto media = open(caller, media_id);
    if (!media) return std::move(media).error();
    if (!thumbnails_) return Error{ErrorKind::not_found, "no_thumbnail", "this server makes no thumbnails", {}};
    return thumbnails_->read(*media);
}

std::string MediaService::read(const Media& media, std::uint64_t offset, std::uint64_t length) {
    return store_.read(media.id, offset, length);
}

Result<Media> MediaService::attachable(const std::string& user_id, const std::string& media_id,
                                       std::string_view use) {
    auto media = catalog_.find(media_id);
    if (!media) return Error::invalid("invalid_media", "no such media");
    if (auto allowed = check_can_attach(*media, user_id, use); !allowed) return std::move(allowed).error();
    return std::move(*media);
}

void MediaService::remove_unused_of(const std::string& owner_id) {
    for (const auto& id : catalog_.remove_unused(catalog_.unused_ids_of(owner_id)))
        remove_media_objects(store_, id);
}

}  // namespace flow
