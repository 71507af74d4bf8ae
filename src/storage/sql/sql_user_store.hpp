#pragma once

#include "storage/sql/database.hpp"
#include "storage/user_store.hpp"

namespace flow::sql {

// The User in a row of `SELECT id, phone, name, about, image_id, created_at, last_seen_at`.
User read_user(const Statement& row);

// UserStore in SQL, on either engine. Thread-safe through its Database.
class SqlUserStore final : public UserStore {
public:
    explicit SqlUserStore(Database& db) : db_(db) {}

    std::optional<User> find(const std::string& user_id) override;
    std::vector<User> find_by_phones(const std::vector<std::string>& phones) override;
    std::optional<User> update_profile(const std::string& user_id,
                                       const ProfileChange& change) override;
    void touch_last_seen(const std::string& user_id, TimeMs at) override;
    void erase(const std::string& user_id) override;

private:
    Database& db_;
};

// Finds a user on a connection already held; shared by the stores.
std::optional<User> find_user(Connection& db, const std::string& user_id, bool for_update = false);

}  // namespace flow::sql
