// What only S3MediaStore does: it signs (s3rver refuses a wrong secret), presigns URLs,
// fails fast when S3 is away, and writes objects another S3 client reads (awscli).
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "media/s3/s3_media_store.hpp"
#include "media_test_support.hpp"

namespace flow {
namespace {

using test::pattern;
using test::unique_key;

struct Fetched {
    long status = 0;
    std::string body;
};

// A plain, unsigned GET: what a client holding a presigned URL does.
Fetched http_get(const std::string& url) {
    Fetched fetched;
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10'000L);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &fetched.body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
        static_cast<std::string*>(out)->append(p, s * n);
        return s * n;
    });
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &fetched.status);
    curl_easy_cleanup(curl);
    return fetched;
}

void put(MediaStore& store, const std::string& key, const std::string& bytes) {
    auto writer = store.create(key);
    writer->write(bytes);
    writer->commit();
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const MediaNotFoundError& e) {
        return std::string("not found: ") + e.what();
    } catch (const MediaStoreError& e) {
        return e.what();
    }
    return "no error";
}

class S3MediaStoreTest : public ::testing::Test {
protected:
    void SetUp() override { FLOW_REQUIRE_S3(); }
    S3Config config_ = test::s3_test_config();
};

TEST_F(S3MediaStoreTest, WrongSecretIsRefused) {
    S3MediaStore good(config_);
    const std::string key = unique_key("signed");
    put(good, key, "secret bytes");

    S3Config wrong = config_;
    wrong.secret_key = "not-the-secret";
    S3MediaStore bad(wrong);
    EXPECT_FALSE(bad.ping());
    const std::string on_write = error_of([&] { put(bad, unique_key("refused"), "x"); });
    EXPECT_NE(on_write.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << on_write;
    const std::string on_read = error_of([&] { bad.read(key, 0, 10); });
    EXPECT_NE(on_read.find("HTTP 403"), std::string::npos) << on_read;
    const std::string on_remove = error_of([&] { bad.remove(key); });
    EXPECT_NE(on_remove.find("HTTP 403"), std::string::npos) << on_remove;
    EXPECT_EQ(good.read(key, 0, 100), "secret bytes");  // the refused DELETE did nothing

    S3Config stranger = config_;
    stranger.access_key = "SOMEONE";
    S3MediaStore unknown_store(stranger);
    const std::string unknown = error_of([&] { put(unknown_store, unique_key("x"), "x"); });
    EXPECT_NE(unknown.find("HTTP 403"), std::string::npos) << unknown;
}

TEST_F(S3MediaStoreTest, PresignedUrlServesTheObjectAndOnlyAsSigned) {
    S3MediaStore store(config_);
    const std::string key = unique_key("presigned");
    const std::string bytes = pattern(3000);
    put(store, key, bytes);

    const std::string url = store.presigned_get_url(key, std::chrono::minutes(5));
    ASSERT_EQ(url.rfind(config_.endpoint + "/media/" + key + "?X-Amz-Algorithm=", 0), 0u) << url;
    const Fetched fetched = http_get(url);
    EXPECT_EQ(fetched.status, 200);
    EXPECT_TRUE(fetched.body == bytes);

    std::string tampered = url;
    tampered.back() = tampered.back() == '0' ? '1' : '0';
    EXPECT_EQ(http_get(tampered).status, 403);

    S3Config wrong = config_;
    wrong.secret_key = "not-the-secret";
    EXPECT_EQ(http_get(S3MediaStore(wrong).presigned_get_url(key, std::chrono::minutes(5))).status,
              403);
}

TEST_F(S3MediaStoreTest, UnreachableServerFailsWithinTheTimeout) {
    S3Config away = config_;
    away.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
    away.connect_timeout = std::chrono::milliseconds(500);
    S3MediaStore store(away);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(store.ping());
    const std::string error = error_of([&] { put(store, unique_key("away"), "x"); });
    EXPECT_NE(error.find("S3 PUT media/away-"), std::string::npos) << error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(S3MediaStoreTest, RefusesBadConfiguration) {
    S3Config small_parts = config_;
    small_parts.part_size = 1024 * 1024;
    EXPECT_THROW(S3MediaStore{small_parts}, MediaStoreError);
    S3Config no_scheme = config_;
    no_scheme.endpoint = "127.0.0.1:9000";
    EXPECT_THROW(S3MediaStore{no_scheme}, MediaStoreError);
    S3Config no_bucket = config_;
    no_bucket.bucket.clear();
    EXPECT_THROW(S3MediaStore{no_bucket}, MediaStoreError);
}

// A second client agrees: awscli reads what we wrote (one PUT and multipart) and we read
// what it wrote. Optional: skipped where no `aws` command is installed.
TEST_F(S3MediaStoreTest, AwsCliReadsAndWritesTheSameObjects) {
    const char* cli = std::getenv("FLOW_TEST_AWS_CLI");
    const std::string aws = cli ? cli : "aws";
    if (std::system((aws + " --version >/dev/null 2>&1").c_str()) != 0)
        GTEST_SKIP() << "no aws command (Debian's awscli) to cross-check with";

    test::TempDir dir;
    const std::string env = "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "
                            "AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null ";
    const std::string s3api = env + aws + " --endpoint-url " + config_.endpoint + " s3api ";
    auto slurp = [](const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    };

    S3MediaStore store(config_);
    const std::string ours = unique_key("ours");
    const std::string bytes = pattern(9 * 1024 * 1024 + 5, 7);  // multipart
    put(store, ours, bytes);
    const auto got = dir.path() / "got";
    ASSERT_EQ(std::system((s3api + "get-object --bucket media --key " + ours + ' ' + got.string() +
                           " >/dev/null")
                              .c_str()),
              0);
    EXPECT_TRUE(slurp(got) == bytes);

    const std::string theirs = unique_key("theirs");
    const auto sent = dir.path() / "sent";
    std::ofstream(sent, std::ios::binary) << "written by awscli";
    ASSERT_EQ(std::system((s3api + "put-object --bucket media --key " + theirs + " --body " +
                           sent.string() + " >/dev/null")
                              .c_str()),
              0);
    EXPECT_EQ(store.read(theirs, 11, 100), "awscli");
}

}  // namespace
}  // namespace flow
