#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sql/database.hpp"

namespace flow::sqlite {

// One SQLite connection in WAL mode with FULL synchronous commits, so a committed
// transaction survives a crash of the process or the machine. Units of work take the
// connection one at a time, so SQLite's transactions never overlap.
//
// Group commit: a commit's fsync is most of a small write's cost, so the transactions
// of threads that arrive while one commits wait, then run together in the next
// transaction, each inside a savepoint (one that throws is rolled back alone), and are
// made durable by one commit. Nobody returns before the commit that holds their work.
class SqliteDatabase final : public sql::Database {
public:
    explicit SqliteDatabase(const std::string& path);
    ~SqliteDatabase() override;

    bool ping() override;
    std::string engine() const override { return "sqlite"; }

protected:
    void run_transaction(const TransactionWork& work) override;
    sql::Connection& acquire() override;
    void release(sql::Connection& connection) noexcept override;

private:
    class Connection;
    // One thread's transaction, waiting for the commit that includes it.
    struct Pending {
        const TransactionWork* work;
        std::exception_ptr error;
        bool done = false;
    };

    // Runs a batch in one transaction and commits it; on the connection.
    void commit_batch(const std::vector<Pending*>& batch);

    std::mutex mutex_;  // the connection
    std::unique_ptr<Connection> connection_;

    std::mutex queue_mutex_;
    std::condition_variable committed_;
    std::vector<Pending*> queue_;
    bool committing_ = false;  // a thread is running a batch
};

// The SQL of the stores as SQLite reads it: without `FOR UPDATE`, since SQLite's
// transactions run one at a time anyway.
std::string to_sqlite_dialect(std::string_view sql);

}  // namespace flow::sqlite
