#include "media/s3/s3_media_store.hpp"

#include <spdlog/spdlog.h>

#include <limits>
#include <vector>

#include "media/media_key.hpp"

namespace flow {
namespace {

// S3 refuses parts under 5 MiB (the last excepted).
constexpr std::size_t kMinPartSize = 5 * 1024 * 1024;
// Room for an XML answer beside the bytes asked for.
constexpr std::size_t kAnswerSlack = 64 * 1024;

// Buffers one part; see S3MediaStore. Used by one thread at a time.
class S3Writer final : public MediaStore::Writer {
public:
    S3Writer(std::shared_ptr<const S3Client> client, std::string key)
        : client_(std::move(client)), key_(std::move(key)) {
        buffer_.reserve(std::min<std::size_t>(client_->config().part_size, 1024 * 1024));
    }

    ~S3Writer() override {
        if (upload_id_.empty() || state_ == State::committed) return;
        // Without this the parts would stay in the bucket, unseen but stored.
        try {
            const S3Request request{"DELETE", key_, {{"uploadId", upload_id_}}};
            const S3Response response = client_->send(request);
            if (!response.ok() && response.status != 404) client_->fail(request, response);
        } catch (const std::exception& e) {
            spdlog::warn("media: aborting the upload of {} failed: {}", key_, e.what());
        }
    }

    void write(std::string_view bytes) override {
        check_open();
        const std::size_t part_size = client_->config().part_size;
        while (!bytes.empty()) {
            const std::size_t n = std::min(bytes.size(), part_size - buffer_.size());
            buffer_.append(bytes.substr(0, n));
            bytes.remove_prefix(n);
            if (buffer_.size() == part_size) guarded([this] { upload_part(); });
        }
    }

    void commit() override {
        check_open();
        guarded([this] {
            if (upload_id_.empty()) {
                const S3Request request{"PUT", key_, {}, {}, buffer_};
                const S3Response response = client_->send(request);
                if (!response.ok()) client_->fail(request, response);
            } else {
                if (!buffer_.empty()) upload_part();
                complete();
            }
        });
        state_ = State::committed;
        buffer_ = {};
    }

private:
    enum class State { open, failed, committed };

    void check_open() const {
        if (state_ == State::committed) throw MediaStoreError("media: " + key_ + " is committed");
        if (state_ == State::failed) throw MediaStoreError("media: writing " + key_ + " failed");
    }

    // A writer whose request failed takes no more bytes: a part may be missing.
    template <typename F>
    void guarded(F&& f) {
        try {
            f();
        } catch (...) {
            state_ = State::failed;
            throw;
        }
    }

    void upload_part() {
        if (upload_id_.empty()) {
            const S3Request request{"POST", key_, {{"uploads", ""}}};
            const S3Response response = client_->send(request);
            if (!response.ok()) client_->fail(request, response);
            upload_id_ = xml_element(response.body, "UploadId");
            if (upload_id_.empty())
                throw MediaStoreError("S3 POST " + key_ + "?uploads: no UploadId in the answer");
        }
        const std::string number = std::to_string(etags_.size() + 1);
        const S3Request request{
            "PUT", key_, {{"partNumber", number}, {"uploadId", upload_id_}}, {}, buffer_};
        const S3Response response = client_->send(request);
        if (!response.ok()) client_->fail(request, response);
        if (response.etag.empty())
            throw MediaStoreError("S3 PUT " + key_ + " part " + number + ": no ETag in the answer");
        etags_.push_back(response.etag);
        buffer_.clear();
    }

    void complete() {
        std::string xml = "<CompleteMultipartUpload>";
        for (std::size_t i = 0; i < etags_.size(); ++i) {
            xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
                   etags_[i] + "</ETag></Part>";
        }
        xml += "</CompleteMultipartUpload>";
        const S3Request request{"POST", key_, {{"uploadId", upload_id_}}, {}, xml};
        const S3Response response = client_->send(request);
        // S3 may answer 200 and still fail, with an <Error> body.
        if (response.ok() && response.body.find("<Error>") != std::string::npos) {
            S3Response failed = response;
            failed.status = 500;
            client_->fail(request, failed);
        }
        if (!response.ok()) client_->fail(request, response);
    }

    std::shared_ptr<const S3Client> client_;
    std::string key_;
    std::string buffer_;
    std::string upload_id_;  // set once the first part is sent
    std::vector<std::string> etags_;
    State state_ = State::open;
};

}  // namespace

S3MediaStore::S3MediaStore(S3Config config) {
    if (config.part_size < kMinPartSize)
        throw MediaStoreError("S3 part size must be at least 5 MiB");
    client_ = std::make_shared<const S3Client>(std::move(config));
}

std::unique_ptr<MediaStore::Writer> S3MediaStore::create(const std::string& key) {
    check_media_key(key);
    return std::make_unique<S3Writer>(client_, key);
}

std::string S3MediaStore::read(const std::string& key, std::uint64_t offset,
                               std::uint64_t length) {
    check_media_key(key);
    if (length == 0) {  // nothing to read, but a missing object is still an error
        const S3Request request{"HEAD", key};
        const S3Response response = client_->send(request);
        if (!response.ok()) client_->fail(request, response);
        return {};
    }
    const std::uint64_t last = length - 1 > std::numeric_limits<std::uint64_t>::max() - offset
                                   ? std::numeric_limits<std::uint64_t>::max()
                                   : offset + length - 1;
    S3Request request{"GET", key, {}, {{"Range", "bytes=" + std::to_string(offset) + '-' +
                                                      std::to_string(last)}}};
    // Bounds what a server that ignores Range (and answers the whole object) can make us hold.
    request.max_response = length > std::numeric_limits<std::size_t>::max() - kAnswerSlack
                               ? std::numeric_limits<std::size_t>::max()
                               : static_cast<std::size_t>(length) + kAnswerSlack;
    S3Response response = client_->send(request);
    if (response.status == 206) return std::move(response.body);
    if (response.status == 416) return {};  // the object ends before `offset`
    if (response.status == 200) {
        if (offset >= response.body.size()) return {};
        return response.body.substr(offset, length);
    }
    client_->fail(request, response);
}

void S3MediaStore::remove(const std::string& key) {
    check_media_key(key);
    const S3Request request{"DELETE", key};
    const S3Response response = client_->send(request);
    if (!response.ok() && response.status != 404) client_->fail(request, response);
}

bool S3MediaStore::ping() {
    try {
        return client_->send({"HEAD", ""}).ok();
    } catch (const MediaStoreError&) {
        return false;
    }
}

std::string S3MediaStore::presigned_get_url(const std::string& key,
                                            std::chrono::seconds expires) const {
    check_media_key(key);
    return client_->presign("GET", key, expires);
}

}  // namespace flow
