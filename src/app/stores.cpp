#include "app/stores.hpp"

#include <filesystem>

#include "app/config.hpp"
#include "media/fs/fs_media_store.hpp"
#include "media/s3/s3_media_store.hpp"
#include "storage/postgres/pg_database.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/sql/sql_storage.hpp"
#include "storage/sqlite/sqlite_database.hpp"
#include "storage/sqlite/sqlite_migrations.hpp"

namespace flow::app {

namespace fs = std::filesystem;

namespace {

bool is_postgres(const std::string& db) { return db.starts_with("postgres://") || db.starts_with("postgresql://"); }

}  // namespace

std::string sqlite_path(const Config& config) {
    if (is_postgres(config.db)) return {};
    return config.db.empty() ? (fs::path(config.data_dir) / "flow.db").string() : config.db;
}

std::unique_ptr<Storage> open_storage(const Config& config, std::size_t connections) {
    std::unique_ptr<sql::Database> database;
    if (is_postgres(config.db)) {
        auto pg = std::make_unique<postgres::PgDatabase>(config.db, connections);
        postgres::migrate(*pg);
        database = std::move(pg);
    } else {
        auto sqlite = std::make_unique<sqlite::SqliteDatabase>(sqlite_path(config));
        sqlite::migrate(*sqlite);
        database = std::move(sqlite);
    }
    return std::make_unique<sql::SqlStorage>(std::move(database));
}

std::unique_ptr<MediaStore> open_media_store(const Config& config) {
    if (config.media.starts_with("s3://"))
        return std::make_unique<S3MediaStore>(S3Config{config.s3_endpoint, config.media.substr(5),
                                                       config.s3_access_key, config.s3_secret_key,
                                                       config.s3_region});
    return std::make_unique<FsMediaStore>(config.media.empty() ? fs::path(config.data_dir) / "media"
                                                               : fs::path(config.media));
}

}  // namespace flow::app
