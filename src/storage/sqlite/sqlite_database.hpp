#pragma once

#include <sqlite3.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/sql/database.hpp"

namespace flow::sqlite {

// One SQLite connection in WAL mode with FULL synchronous commits, so a committed
// transaction survives a crash of the process or the machine. Units of work take the
// connection one at a time, so SQLite's transactions never overlap.
class SqliteDatabase final : public sql::Database {
public:
    explicit SqliteDatabase(const std::string& path);
    ~SqliteDatabase() override;

    bool ping() override;
    std::string engine() const override { return "sqlite"; }

protected:
    sql::Connection& acquire() override;
    void release(sql::Connection& connection) noexcept override;

private:
    class Connection;

    std::mutex mutex_;
    std::unique_ptr<Connection> connection_;
};

// The SQL of the stores as SQLite reads it: without `FOR UPDATE`, since SQLite's
// transactions run one at a time anyway.
std::string to_sqlite_dialect(std::string_view sql);

}  // namespace flow::sqlite
