// What every MediaStore promises, run against the folder and S3 (s3rver) alike.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "media/fs/fs_media_store.hpp"
#include "media/s3/s3_media_store.hpp"
#include "media_test_support.hpp"

namespace flow {
namespace {

using test::pattern;
using test::unique_key;

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kPart = 8 * kMiB;  // S3MediaStore's part size

class MediaStoreContract : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() == "fs") {
            store_ = std::make_unique<FsMediaStore>(dir_.path() / "media");
        } else {
            FLOW_REQUIRE_S3();
            store_ = std::make_unique<S3MediaStore>(test::s3_test_config());
        }
    }

    // Writes `bytes` in writes of `chunk` bytes and commits.
    void put(const std::string& key, const std::string& bytes, std::size_t chunk = 1000) {
        auto writer = store_->create(key);
        for (std::size_t at = 0; at < bytes.size(); at += chunk)
            writer->write(std::string_view(bytes).substr(at, chunk));
        writer->commit();
    }

    std::string read_all(const std::string& key) { return store_->read(key, 0, UINT64_MAX); }

    test::TempDir dir_;
    std::unique_ptr<MediaStore> store_;
};

TEST_P(MediaStoreContract, SmallObjectWrittenInPiecesReadsBackWholeAndByRange) {
    const std::string key = unique_key("small");
    auto writer = store_->create(key);
    writer->write("hello, ");
    writer->write("");
    writer->write("world");
    writer->commit();

    EXPECT_EQ(store_->read(key, 0, 100), "hello, world");
    EXPECT_EQ(read_all(key), "hello, world");
    EXPECT_EQ(store_->read(key, 0, 5), "hello");
    EXPECT_EQ(store_->read(key, 7, 5), "world");
    EXPECT_EQ(store_->read(key, 7, 100), "world");
    EXPECT_EQ(store_->read(key, 11, 1), "d");
    EXPECT_EQ(store_->read(key, 12, 10), "");
    EXPECT_EQ(store_->read(key, 1000, 10), "");
    EXPECT_EQ(store_->read(key, 3, 0), "");
}

TEST_P(MediaStoreContract, LargeObjectGoesInPartsAndReadsBackByRange) {
    const std::string key = unique_key("large");
    const std::string bytes = pattern(2 * kPart + 12345);
    put(key, bytes, 1 * kMiB + 17);  // writes that straddle part boundaries

    EXPECT_TRUE(read_all(key) == bytes);
    EXPECT_EQ(store_->read(key, 0, 1000), bytes.substr(0, 1000));
    EXPECT_EQ(store_->read(key, kPart - 10, 20), bytes.substr(kPart - 10, 20));  // across parts
    EXPECT_EQ(store_->read(key, 2 * kPart + 100, 50), bytes.substr(2 * kPart + 100, 50));
    EXPECT_EQ(store_->read(key, bytes.size() - 10, 100), bytes.substr(bytes.size() - 10));
    EXPECT_EQ(store_->read(key, bytes.size(), 100), "");
    EXPECT_EQ(store_->read(key, bytes.size() + 5000, 1), "");
}

TEST_P(MediaStoreContract, ObjectOfExactlyOnePartAndOfPartPlusOneByte) {
    const std::string one = unique_key("onepart");
    const std::string bytes = pattern(kPart, 2);
    put(one, bytes, kPart);
    EXPECT_TRUE(read_all(one) == bytes);

    const std::string more = unique_key("partplus");
    const std::string more_bytes = pattern(kPart + 1, 3);
    put(more, more_bytes, 3 * kMiB);
    EXPECT_TRUE(read_all(more) == more_bytes);
    EXPECT_EQ(store_->read(more, kPart, 10), more_bytes.substr(kPart));
}

TEST_P(MediaStoreContract, EmptyObjectExists) {
    const std::string key = unique_key("empty");
    store_->create(key)->commit();
    EXPECT_EQ(store_->read(key, 0, 10), "");
    EXPECT_EQ(store_->read(key, 0, 0), "");
}

TEST_P(MediaStoreContract, MissingObjectIsNotFound) {
    const std::string key = unique_key("missing");
    EXPECT_THROW(store_->read(key, 0, 10), MediaNotFoundError);
    EXPECT_THROW(store_->read(key, 0, 0), MediaNotFoundError);
}

TEST_P(MediaStoreContract, UncommittedObjectIsNeverReadable) {
    const std::string small = unique_key("uncommitted");
    {
        auto writer = store_->create(small);
        writer->write("not yet");
        EXPECT_THROW(store_->read(small, 0, 10), MediaNotFoundError);
    }
    EXPECT_THROW(store_->read(small, 0, 10), MediaNotFoundError);

    // Past one part, so that S3 has a multipart upload to abort.
    const std::string large = unique_key("uncommitted-large");
    {
        auto writer = store_->create(large);
        writer->write(pattern(kPart + 100));
        EXPECT_THROW(store_->read(large, 0, 10), MediaNotFoundError);
    }
    EXPECT_THROW(store_->read(large, 0, 10), MediaNotFoundError);
}

TEST_P(MediaStoreContract, CommitReplacesAnObjectAndUncommittedWritesDoNot) {
    const std::string key = unique_key("overwrite");
    put(key, "the first version, which is longer");
    {
        auto writer = store_->create(key);
        writer->write("dropped");
    }
    EXPECT_EQ(read_all(key), "the first version, which is longer");

    auto writer = store_->create(key);
    writer->write("second");
    EXPECT_EQ(read_all(key), "the first version, which is longer");
    writer->commit();
    EXPECT_EQ(read_all(key), "second");  // replaced whole, not overwritten in place
}

TEST_P(MediaStoreContract, LastCommitWins) {
    const std::string key = unique_key("race");
    auto first = store_->create(key);
    auto second = store_->create(key);
    first->write("first");
    second->write("second");
    second->commit();
    first->commit();
    EXPECT_EQ(read_all(key), "first");
}

TEST_P(MediaStoreContract, RemoveDeletesAndIsIdempotent) {
    const std::string key = unique_key("remove");
    put(key, "bytes");
    store_->remove(key);
    EXPECT_THROW(store_->read(key, 0, 10), MediaNotFoundError);
    EXPECT_NO_THROW(store_->remove(key));
    put(key, "again");  // a removed key can be written anew
    EXPECT_EQ(read_all(key), "again");
}

TEST_P(MediaStoreContract, WriterIsDoneOnceCommitted) {
    const std::string key = unique_key("done");
    auto writer = store_->create(key);
    writer->write("x");
    writer->commit();
    EXPECT_THROW(writer->write("y"), MediaStoreError);
    EXPECT_THROW(writer->commit(), MediaStoreError);
    EXPECT_EQ(read_all(key), "x");
}

TEST_P(MediaStoreContract, KeysAreValidated) {
    for (const std::string& bad : std::vector<std::string>{"", "A", "a/b", "../x", "a.b", "a b", "caf\xc3\xa9", ".incoming",
                                  std::string(65, 'a')}) {
        SCOPED_TRACE(bad);
        EXPECT_THROW(store_->create(bad), MediaStoreError);
        EXPECT_THROW(store_->read(bad, 0, 1), MediaStoreError);
        EXPECT_THROW(store_->remove(bad), MediaStoreError);
    }
    for (const std::string& good : {std::string("k"), unique_key("a_b-9"),
                                    unique_key(std::string(51, 'z'))}) {
        SCOPED_TRACE(good);
        ASSERT_EQ(good.size() <= 64, true);
        put(good, good);
        EXPECT_EQ(read_all(good), good);
        store_->remove(good);
    }
}

TEST_P(MediaStoreContract, ConcurrentWritersAndReaders) {
    std::vector<std::thread> threads;
    std::vector<std::string> results(6);
    const std::string base = unique_key("concurrent");
    for (int i = 0; i < 6; ++i) {
        threads.emplace_back([&, i] {
            const std::string key = base + '-' + std::to_string(i);
            put(key, pattern(100'000 + i, i));
            results[i] = read_all(key);
        });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(results[i] == pattern(100'000 + i, i)) << i;
}

TEST_P(MediaStoreContract, PingsAndNamesItsBackend) {
    EXPECT_TRUE(store_->ping());
    EXPECT_EQ(store_->backend(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Media, MediaStoreContract, ::testing::Values("fs", "s3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace flow
