#pragma once

#include "storage/media_catalog.hpp"
#include "storage/sql/database.hpp"

// The columns read_media expects, of the media table under alias `t`.
#define MEDIA_COLUMNS(t)                                                                      \
    t ".id, " t ".owner_id, " t ".kind, " t ".mime, " t ".size, " t ".sha256, " t ".created_at, " \
    t ".width, " t ".height, " t ".duration_ms"

namespace flow::sql {

// The Media in a row's MEDIA_COLUMNS, from column `first` on.
Media read_media(const Statement& row, int first);

// MediaCatalog in SQL, on either engine. Thread-safe through its Database.
class SqlMediaCatalog final : public MediaCatalog {
public:
    explicit SqlMediaCatalog(Database& db) : db_(db) {}

    void insert(const Media& media) override;
    std::optional<Media> find(const std::string& media_id) override;
    bool visible_to(const std::string& media_id, const std::string& user_id, TimeMs now) override;
    ThumbnailState thumbnail_of(const std::string& media_id) override;
    bool set_thumbnail(const std::string& media_id, ThumbnailState state) override;
    std::vector<std::string> unused_before(TimeMs created_before, int limit) override;
    UnusedUploads unused_of(const std::string& owner_id) override;
    std::vector<std::string> unused_ids_of(const std::string& owner_id) override;
    std::vector<std::string> remove_unused(const std::vector<std::string>& media_ids) override;
    bool remove(const std::string& media_id) override;

private:
    Database& db_;
};

}  // namespace flow::sql
