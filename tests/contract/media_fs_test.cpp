// What only FsMediaStore does: its layout on disk, and that no part file outlives a Writer.
#include <gtest/gtest.h>

#include <fstream>

#include "media/fs/fs_media_store.hpp"
#include "media_test_support.hpp"

namespace flow {
namespace {

namespace fs = std::filesystem;

std::size_t count_files(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
    return n;
}

TEST(FsMediaStore, CommittedObjectIsAFileUnderItsPrefixAndNoPartIsLeft) {
    test::TempDir dir;
    FsMediaStore store(dir.path());
    {
        auto writer = store.create("abcdef");
        writer->write("bytes");
        EXPECT_EQ(count_files(dir.path() / ".incoming"), 1u);
        writer->commit();
    }
    EXPECT_EQ(store.object_path("abcdef"), dir.path() / "ab" / "abcdef");
    std::ifstream in(dir.path() / "ab" / "abcdef");
    std::string content;
    in >> content;
    EXPECT_EQ(content, "bytes");
    EXPECT_EQ(count_files(dir.path() / ".incoming"), 0u);

    store.create("x")->write("dropped");
    EXPECT_EQ(count_files(dir.path() / ".incoming"), 0u);
    EXPECT_FALSE(fs::exists(dir.path() / "x"));
}

TEST(FsMediaStore, StalePartsAreRemovedWhenTheFolderIsOpened) {
    test::TempDir dir;
    FsMediaStore(dir.path()).create("k")->write("in progress");
    const auto stale = dir.path() / ".incoming" / "crashed.part";
    const auto young = dir.path() / ".incoming" / "writing.part";
    std::ofstream(stale) << "left by a crash";
    std::ofstream(young) << "being written";
    fs::last_write_time(stale, fs::file_time_type::clock::now() - std::chrono::hours(25));
    FsMediaStore reopened(dir.path());
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(young));
}

TEST(FsMediaStore, PingFailsWhenTheFolderIsGone) {
    test::TempDir dir;
    FsMediaStore store(dir.path() / "media");
    EXPECT_TRUE(store.ping());
    fs::remove_all(dir.path() / "media");
    EXPECT_FALSE(store.ping());
    EXPECT_THROW(store.create("k"), MediaStoreError);
}

}  // namespace
}  // namespace flow
