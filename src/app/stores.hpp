#pragma once

#include <cstddef>
#include <memory>

#include "media/media_store.hpp"
#include "storage/storage.hpp"

namespace flow::app {

struct Config;

// The stores a Config names, as flowd and flowctl both open them: the database (an
// SQLite file, by default flow.db in the data dir, or a postgresql:// URL), migrated to
// the newest schema, with up to `connections` connections; and the media store (a folder,
// by default media in the data dir, or an S3 bucket). Throw std::runtime_error (or the
// engine's error) when they cannot be opened.
std::unique_ptr<Storage> open_storage(const Config& config, std::size_t connections);
std::unique_ptr<MediaStore> open_media_store(const Config& config);
// The SQLite file a Config names; empty for PostgreSQL.
std::string sqlite_path(const Config& config);

}  // namespace flow::app
