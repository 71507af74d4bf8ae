#pragma once

#include "storage/privacy_store.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// PrivacyStore in SQL, on either engine: a row per user who changed a setting. Thread-safe
// through its Database.
class SqlPrivacyStore final : public PrivacyStore {
public:
    explicit SqlPrivacyStore(Database& db) : db_(db) {}

    PrivacySettings find(const std::string& user_id) override;
    std::unordered_map<std::string, PrivacySettings> find_many(const std::vector<std::string>& user_ids) override;
    PrivacyUpdate update(const std::string& user_id, const PrivacyChange& change) override;

private:
    Database& db_;
};

}  // namespace flow::sql
