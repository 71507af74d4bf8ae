#pragma once

#include "storage/call_store.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace flow::sqlite {

// CallStore on SQLite. Thread-safe through its Database.
class SqliteCallStore final : public CallStore {
public:
    explicit SqliteCallStore(Database& db) : db_(db) {}

    Call create(Call call, const std::function<void(Call&)>& busy) override;
    std::optional<Call> find(const std::string& call_id) override;
    Result<Call> modify(const std::string& call_id, const std::function<Status(Call&)>& change) override;
    std::vector<Call> history(const std::string& user_id, const std::optional<std::string>& before,
                              int limit) override;
    std::vector<std::string> rung_out(TimeMs now) override;

private:
    Database& db_;
};

}  // namespace flow::sqlite
