#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/s3/sigv4.hpp"

namespace flow {

// Where an S3-compatible bucket is and how to talk to it. Path-style URLs:
// ENDPOINT/BUCKET/KEY.
struct S3Config {
    std::string endpoint;  // "http://127.0.0.1:9000" (no trailing path)
    std::string bucket;
    std::string access_key;
    std::string secret_key;
    std::string region = "us-east-1";
    // Writers buffer this much, then send it as one part of a multipart upload; objects
    // smaller than this go as one PUT. S3 wants parts of at least 5 MiB (but the last).
    std::size_t part_size = 8 * 1024 * 1024;
    std::chrono::milliseconds connect_timeout{5'000};
    // For the whole of one request, a part's upload included.
    std::chrono::milliseconds request_timeout{60'000};
};

// One request to the bucket, before signing. `key` empty means the bucket itself.
struct S3Request {
    std::string method;
    std::string key;
    sigv4::Params query = {};
    sigv4::Params headers = {};  // extra headers, signed too (e.g. range)
    std::string_view body = {};
    std::size_t max_response = 1024 * 1024;  // a longer answer fails the request
};

struct S3Response {
    long status = 0;
    std::string body;
    std::string etag;  // the ETag header, quotes kept
    // The object's size from a Content-Range header ("bytes 0-9/SIZE"), when one came.
    std::optional<std::uint64_t> object_size;
    bool ok() const { return status >= 200 && status < 300; }
};

// Signed, blocking HTTP to one bucket over libcurl, with a small pool of easy handles so
// that connections are reused. Thread-safe. Throws MediaStoreError when the server can't
// be reached or its answer is too long; any HTTP status is returned.
class S3Client {
public:
    explicit S3Client(S3Config config);
    ~S3Client();
    S3Client(const S3Client&) = delete;
    S3Client& operator=(const S3Client&) = delete;

    S3Response send(const S3Request& request) const;
    // A URL with which anyone may perform `method` on `key` for `expires` (query signing).
    std::string presign(std::string_view method, const std::string& key,
                        std::chrono::seconds expires) const;

    // Throws MediaStoreError (MediaNotFoundError for 404) describing a failed answer:
    // "S3 GET media/key: HTTP 403 SignatureDoesNotMatch: ...".
    [[noreturn]] void fail(const S3Request& request, const S3Response& response) const;

    const S3Config& config() const { return config_; }

private:
    std::string path(const std::string& key) const;
    void* acquire() const;
    void release(void* handle) const;

    const S3Config config_;
    const sigv4::Signer signer_;
    const std::string authority_;  // the Host header: "host:port"
    mutable std::mutex mutex_;
    mutable std::vector<void*> idle_;  // CURL* handles, most recently used last
};

// The text of the first <tag>…</tag> in `xml`, entities decoded; "" if absent.
std::string xml_element(std::string_view xml, std::string_view tag);

}  // namespace flow
