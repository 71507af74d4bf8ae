#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "media/media_store.hpp"

namespace flow {

// Media objects as files in a folder: `<dir>/<first 2 chars of key>/<key>`. A Writer
// writes `<dir>/.incoming/<random>.part`; commit() fsyncs it, renames it into place
// (replacing an object of the same key atomically) and fsyncs the folder, so a committed
// object survives a crash and an uncommitted one is never readable. Part files that a
// crash left behind are removed a day later, when a store next opens the folder.
// Blocking; thread-safe (several processes may share a folder).
class FsMediaStore final : public MediaStore {
public:
    // Creates the folder (and .incoming) if need be; throws MediaStoreError if it can't.
    explicit FsMediaStore(std::filesystem::path dir);

    std::unique_ptr<Writer> create(const std::string& key) override;
    std::string read(const std::string& key, std::uint64_t offset, std::uint64_t length) override;
    void remove(const std::string& key) override;
    // Whether a file can be created in the folder.
    bool ping() override;
    std::string backend() const override { return "fs"; }

    // Where a committed object lives (for tests and tools).
    std::filesystem::path object_path(const std::string& key) const;

private:
    std::filesystem::path dir_;
};

}  // namespace flow
