#pragma once

#include "storage/block_store.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// BlockStore in SQL, on either engine: a row per block. Thread-safe through its Database.
class SqlBlockStore final : public BlockStore {
public:
    explicit SqlBlockStore(Database& db) : db_(db) {}

    bool block(const std::string& blocker_id, const std::string& blocked_id, const FrozenProfile& seen,
               TimeMs now) override;
    bool unblock(const std::string& blocker_id, const std::string& blocked_id) override;
    std::vector<std::string> blocked_by(const std::string& blocker_id) override;
    std::unordered_map<std::string, FrozenProfile> blockers_of(const std::string& viewer_id,
                                                               const std::vector<std::string>& user_ids) override;

private:
    Database& db_;
};

}  // namespace flow::sql
