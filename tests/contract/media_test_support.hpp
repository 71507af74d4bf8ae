#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "media/s3/s3_media_store.hpp"

namespace flow::test {

// The s3rver that scripts/test.sh starts: bucket `media`, credentials S3RVER / S3RVER.
// Without FLOW_TEST_S3_ENDPOINT the S3 cases fail (CI must run them), unless
// FLOW_TEST_SKIP_S3=1 says to skip them.
inline S3Config s3_test_config() {
    const char* endpoint = std::getenv("FLOW_TEST_S3_ENDPOINT");
    return {endpoint ? endpoint : "", "media", "S3RVER", "S3RVER"};
}

#define FLOW_REQUIRE_S3()                                                                   \
    do {                                                                                    \
        if (const char* skip = std::getenv("FLOW_TEST_SKIP_S3"); skip && skip == std::string("1")) \
            GTEST_SKIP() << "FLOW_TEST_SKIP_S3=1";                                          \
        if (!std::getenv("FLOW_TEST_S3_ENDPOINT"))                                          \
            FAIL() << "FLOW_TEST_S3_ENDPOINT is not set: run through scripts/test.sh, or "   \
                      "set FLOW_TEST_SKIP_S3=1 to skip the S3 cases";                       \
    } while (false)

// Keys unique to this run: the S3 server is shared by tests running in parallel.
inline std::string unique_key(const std::string& prefix) {
    static std::mt19937_64 random{std::random_device{}()};
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string key = prefix + '-';
    for (int i = 0; i < 12; ++i) key += kDigits[random() % 36];
    return key;
}

// Bytes that differ at every offset, so a misplaced range shows.
inline std::string pattern(std::size_t size, std::uint32_t seed = 1) {
    std::string out(size, '\0');
    std::uint32_t x = seed;
    for (auto& c : out) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return out;
}

// A temporary folder, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "flow-media-XXXXXX").string();
        path_ = mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace flow::test
