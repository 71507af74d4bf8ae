#pragma once

#include "storage/report_store.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// ReportStore in SQL, on either engine: a row per report and one per message it names,
// copied by the database in the same transaction. Thread-safe through its Database.
class SqlReportStore final : public ReportStore {
public:
    explicit SqlReportStore(Database& db) : db_(db) {}

    bool file(const Report& report, const std::vector<std::string>& message_ids) override;
    std::optional<Report> find(const std::string& report_id) override;
    std::vector<Report> list(bool open_only, int limit) override;
    bool resolve(const std::string& report_id, TimeMs now) override;

private:
    Database& db_;
};

}  // namespace flow::sql
