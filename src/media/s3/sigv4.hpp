#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// AWS Signature Version 4 for S3, as pure functions and a small immutable Signer: no I/O,
// the time is always given. S3MediaStore signs its requests with it; presigned URLs let a
// client fetch or upload an object directly.
namespace flow::sigv4 {

using Clock = std::chrono::system_clock;
using Params = std::vector<std::pair<std::string, std::string>>;

// The hex SHA-256 of an empty body, the payload hash of GET, HEAD and DELETE.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct Credentials {
    std::string access_key;
    std::string secret_key;
};

// A request as SigV4 sees it. `path` and `query` are not yet percent-encoded: signing
// encodes them (the same way the URL must, see canonical_path and canonical_query).
// `headers` are the ones to sign and must include `host`.
struct Request {
    std::string method;
    std::string path = "/";
    Params query;
    Params headers;
    std::string payload_hash = std::string(kEmptyPayloadHash);
};

// The pieces of the algorithm, exposed for the known-answer tests.
std::string hex(std::string_view bytes);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// RFC 3986 percent-encoding as AWS wants it: unreserved characters kept, '/' kept when
// `keep_slash` (paths), everything else %XX in upper case.
std::string uri_encode(std::string_view s, bool keep_slash);
std::string canonical_path(std::string_view path);
std::string canonical_query(const Params& query);
// "20130524T000000Z"
std::string amz_date(Clock::time_point t);
// "host;range;x-amz-date": lower-case names, sorted.
std::string signed_headers(const Params& headers);
std::string canonical_request(const Request& request);
// "20130524/us-east-1/s3/aws4_request"
std::string credential_scope(std::string_view date8, std::string_view region,
                             std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signing_key(std::string_view secret_key, std::string_view date8,
                        std::string_view region, std::string_view service);

// Signs requests for one set of credentials in one region and service. Immutable, so
// thread-safe.
class Signer {
public:
    Signer(Credentials credentials, std::string region, std::string service = "s3");

    // The Authorization header's value for a request whose headers already carry
    // x-amz-date (= `amz_date`) and, for S3, x-amz-content-sha256.
    std::string authorization(const Request& request, std::string_view amz_date) const;

    // Adds x-amz-date, x-amz-content-sha256 (the request's payload hash) and
    // Authorization to the request's headers.
    void sign(Request& request, Clock::time_point now) const;

    // A URL that performs `method` on `base_url` + `path` (base "https://host[:port]") for
    // `expires` from `now`, with the signature in the query; only `host` is signed and
    // the payload is UNSIGNED-PAYLOAD. `query` adds parameters (they are signed too).
    std::string presign(std::string_view method, std::string_view base_url,
                        std::string_view path, std::chrono::seconds expires,
                        Clock::time_point now, Params query = {}) const;

    const std::string& region() const { return region_; }

private:
    std::string scope(std::string_view date8) const;
    std::string signature(const Request& request, std::string_view amz_date) const;

    Credentials credentials_;
    std::string region_;
    std::string service_;
};

// The host (with ":port" if the URL names one) of "scheme://host[:port][/...]".
std::string url_authority(std::string_view url);

}  // namespace flow::sigv4
