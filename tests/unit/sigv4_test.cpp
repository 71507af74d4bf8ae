// SigV4 known-answer tests: the examples of the AWS documentation ("Signature
// Calculations for the Authorization Header: Transferring Payload in a Single Chunk",
// "Authenticating Requests: Using Query Parameters", "Deriving the signing key") and the
// get-vanilla case of the SigV4 test suite, reproduced exactly.
#include "media/s3/sigv4.hpp"

#include <gtest/gtest.h>

namespace flow::sigv4 {
namespace {

const Credentials kExample{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
constexpr std::string_view kDate = "20130524T000000Z";
constexpr std::string_view kHost = "examplebucket.s3.amazonaws.com";

Clock::time_point may_24_2013() {
    return Clock::time_point(std::chrono::seconds(1369353600));  // 2013-05-24T00:00:00Z
}

TEST(SigV4, HashesAndSigningKey) {
    EXPECT_EQ(sha256_hex(""), kEmptyPayloadHash);
    EXPECT_EQ(sha256_hex("Welcome to Amazon S3."),
              "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    // The IAM guide's signing-key example.
    EXPECT_EQ(hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1",
                              "iam")),
              "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    EXPECT_EQ(amz_date(may_24_2013()), kDate);
}

TEST(SigV4, UriEncoding) {
    EXPECT_EQ(uri_encode("a-b_c.d~e/f g$+=&", true), "a-b_c.d~e/f%20g%24%2B%3D%26");
    EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
    EXPECT_EQ(uri_encode("\xc3\xa9", false), "%C3%A9");
    EXPECT_EQ(canonical_query({{"prefix", "J"}, {"max-keys", "2"}, {"uploads", ""}}),
              "max-keys=2&prefix=J&uploads=");
    EXPECT_EQ(url_authority("http://127.0.0.1:4569"), "127.0.0.1:4569");
    EXPECT_EQ(url_authority("https://examplebucket.s3.amazonaws.com/test.txt?x=1"), kHost);
}

TEST(SigV4, GetObjectExample) {
    Request request{"GET",
                    "/test.txt",
                    {},
                    {{"Host", std::string(kHost)},
                     {"Range", "bytes=0-9"},
                     {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
                     {"x-amz-date", std::string(kDate)}}};
    EXPECT_EQ(canonical_request(request),
              "GET\n"
              "/test.txt\n"
              "\n"
              "host:examplebucket.s3.amazonaws.com\n"
              "range:bytes=0-9\n"
              "x-amz-content-sha256:"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
              "x-amz-date:20130524T000000Z\n"
              "\n"
              "host;range;x-amz-content-sha256;x-amz-date\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(string_to_sign(kDate, credential_scope("20130524", "us-east-1", "s3"),
                             canonical_request(request)),
              "AWS4-HMAC-SHA256\n"
              "20130524T000000Z\n"
              "20130524/us-east-1/s3/aws4_request\n"
              "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    const Signer signer(kExample, "us-east-1");
    EXPECT_EQ(signer.authorization(request, kDate),
              "AWS4-HMAC-SHA256 "
              "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
              "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
              "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, SignAddsDateHashAndAuthorization) {
    Request request{"GET", "/test.txt", {}, {{"Host", std::string(kHost)}, {"Range", "bytes=0-9"}}};
    Signer(kExample, "us-east-1").sign(request, may_24_2013());
    ASSERT_EQ(request.headers.size(), 5u);
    EXPECT_EQ(request.headers[2], (std::pair<std::string, std::string>{"x-amz-date", "20130524T000000Z"}));
    EXPECT_EQ(request.headers[3].second, kEmptyPayloadHash);
    EXPECT_EQ(request.headers[4].first, "Authorization");
    EXPECT_TRUE(request.headers[4].second.ends_with(
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
}

TEST(SigV4, PutObjectExample) {
    const std::string payload_hash = sha256_hex("Welcome to Amazon S3.");
    Request request{"PUT",
                    "/test$file.text",
                    {},
                    {{"Host", std::string(kHost)},
                     {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"x-amz-date", std::string(kDate)},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                     {"x-amz-content-sha256", payload_hash}},
                    payload_hash};
    EXPECT_EQ(canonical_request(request),
              "PUT\n"
              "/test%24file.text\n"
              "\n"
              "date:Fri, 24 May 2013 00:00:00 GMT\n"
              "host:examplebucket.s3.amazonaws.com\n"
              "x-amz-content-sha256:"
              "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
              "x-amz-date:20130524T000000Z\n"
              "x-amz-storage-class:REDUCED_REDUNDANCY\n"
              "\n"
              "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
              "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    EXPECT_EQ(Signer(kExample, "us-east-1").authorization(request, kDate),
              "AWS4-HMAC-SHA256 "
              "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
              "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
              "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, GetBucketLifecycleExample) {
    Request request{"GET",
                    "/",
                    {{"lifecycle", ""}},
                    {{"Host", std::string(kHost)},
                     {"x-amz-date", std::string(kDate)},
                     {"x-amz-content-sha256", std::string(kEmptyPayloadHash)}}};
    EXPECT_EQ(canonical_request(request).substr(0, 18), "GET\n/\nlifecycle=\nh");
    EXPECT_TRUE(Signer(kExample, "us-east-1")
                    .authorization(request, kDate)
                    .ends_with("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                               "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a013"
                               "6783543"));
}

TEST(SigV4, ListObjectsExample) {
    Request request{"GET",
                    "/",
                    {{"prefix", "J"}, {"max-keys", "2"}},
                    {{"Host", std::string(kHost)},
                     {"x-amz-date", std::string(kDate)},
                     {"x-amz-content-sha256", std::string(kEmptyPayloadHash)}}};
    EXPECT_TRUE(Signer(kExample, "us-east-1")
                    .authorization(request, kDate)
                    .ends_with("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711e"
                               "f69dc6f7"));
}

TEST(SigV4, PresignedUrlExample) {
    const Signer signer(kExample, "us-east-1");
    EXPECT_EQ(signer.presign("GET", "https://examplebucket.s3.amazonaws.com", "/test.txt",
                             std::chrono::hours(24), may_24_2013()),
              "https://examplebucket.s3.amazonaws.com/test.txt"
              "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
              "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
              "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
              "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// The SigV4 test suite's get-vanilla case (service "service", no content hash header).
TEST(SigV4, TestSuiteGetVanilla) {
    const Signer signer({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}, "us-east-1",
                        "service");
    Request request{"GET",
                    "/",
                    {},
                    {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}};
    EXPECT_EQ(signer.authorization(request, "20150830T123600Z"),
              "AWS4-HMAC-SHA256 "
              "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
              "SignedHeaders=host;x-amz-date,"
              "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, HeaderValuesAreTrimmedAndFolded) {
    Request a{"GET", "/k", {}, {{"host", "h"}, {"x-amz-meta-a", "  one   two  "}}};
    Request b{"GET", "/k", {}, {{"HOST", "h"}, {"X-Amz-Meta-A", "one two"}}};
    EXPECT_EQ(canonical_request(a), canonical_request(b));
}

}  // namespace
}  // namespace flow::sigv4
