#pragma once

#include "storage/call_store.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// CallStore in SQL, on either engine. Thread-safe through its Database.
class SqlCallStore final : public CallStore {
public:
    explicit SqlCallStore(Database& db) : db_(db) {}

    Call create(Call call, const std::function<void(Call&)>& busy) override;
    std::optional<Call> find(const std::string& call_id) override;
    Result<Call> modify(const std::string& call_id, const std::function<Status(Call&)>& change) override;
    std::vector<Call> history(const std::string& user_id, const std::optional<std::string>& before,
                              int limit) override;
    std::vector<std::string> rung_out(TimeMs now) override;
    std::vector<std::string> ongoing(TimeMs answered_by) override;

private:
    Database& db_;
};

}  // namespace flow::sql
