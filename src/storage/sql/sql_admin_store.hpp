#pragma once

#include "storage/admin_store.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// AdminStore in SQL, on either engine. Thread-safe through its Database.
class SqlAdminStore final : public AdminStore {
public:
    explicit SqlAdminStore(Database& db) : db_(db) {}

    std::optional<UserRecord> find_user(const std::string& user_id) override;
    std::optional<UserRecord> find_by_phone(const std::string& phone) override;
    std::optional<std::vector<std::string>> ban(const std::string& user_id, TimeMs now) override;
    bool unban(const std::string& user_id) override;
    StoreCounts counts() override;

private:
    Database& db_;
};

}  // namespace flow::sql
