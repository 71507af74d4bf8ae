#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "media/media_store.hpp"
#include "media/s3/s3_client.hpp"

namespace flow {

// Media objects in an S3-compatible bucket (AWS, MinIO, s3rver), one object per key, over
// libcurl with requests signed by sigv4::Signer. Objects up to S3Config::part_size go as
// one PUT on commit(); larger ones as a multipart upload, one part per part_size buffered,
// completed on commit() and aborted when the Writer is dropped, so an uncommitted object
// is never readable. A commit replaces an object of the same key. Blocking; thread-safe;
// Writers share the store's client and may outlive the store.
class S3MediaStore final : public MediaStore {
public:
    explicit S3MediaStore(S3Config config);

    std::unique_ptr<Writer> create(const std::string& key) override;
    std::string read(const std::string& key, std::uint64_t offset, std::uint64_t length) override;
    void remove(const std::string& key) override;
    bool ping() override;
    std::string backend() const override { return "s3"; }

    // A URL through which anyone may GET the object for `expires` (SigV4 query signing),
    // for handing downloads to clients directly.
    std::string presigned_get_url(const std::string& key, std::chrono::seconds expires) const;

private:
    std::shared_ptr<const S3Client> client_;
};

}  // namespace flow
