#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/sql/database.hpp"

namespace flow::sqlite {

// One SQLite connection in WAL mode with FULL synchronous commits, so a committed
// transaction survives a crash of the process or the machine. Units of work take the
// connection one at a time, so SQLite's transactions never overlap.
//
// Group commit: a commit's fsync is most of a small write's cost, so transactions are
// queued for one writer thread, which runs all that wait (up to a bound) together, each
// inside a savepoint (one that throws is rolled back alone), and makes them durable by
// one commit. Nobody hears of a transaction before the commit that holds it: a notifier
// thread tells them, batch after batch in order, while the writer goes on to the next;
// when nothing else waits, the writer tells them itself.
class SqliteDatabase final : public sql::Database {
public:
    explicit SqliteDatabase(const std::string& path);
    // Commits what was submitted, then stops the writer.
    ~SqliteDatabase() override;

    void submit(TransactionWork work, Committed done) override;
    bool submits_in_background() const override { return true; }
    bool ping() override;
    std::string engine() const override { return "sqlite"; }

protected:
    void run_transaction(const TransactionWork& work) override;
    sql::Connection& acquire() override;
    void release(sql::Connection& connection) noexcept override;

private:
    class Connection;
    // A submitted transaction, waiting for the commit that includes it.
    struct Pending {
        TransactionWork work;
        Committed done;
        std::exception_ptr error;
    };

    void write_loop();
    void notify_loop();
    // Hands a committed batch to the notifier and returns true, unless nothing waits to
    // be committed or told: then returns false, for the writer to tell it.
    bool hand_to_notifier(std::vector<Pending>& batch);
    // Runs a batch in one transaction and commits it; on the connection.
    void commit_batch(std::vector<Pending>& batch);

    std::mutex mutex_;  // the connection
    std::unique_ptr<Connection> connection_;

    std::mutex queue_mutex_;
    std::condition_variable queued_;
    std::deque<Pending> queue_;
    bool stopping_ = false;

    std::mutex committed_mutex_;
    std::condition_variable committed_;
    std::deque<std::vector<Pending>> committed_batches_;
    bool notifying_ = false;  // the notifier is telling a batch
    bool writer_done_ = false;

    std::thread writer_;
    std::thread notifier_;
};

// The SQL of the stores as SQLite reads it: without `FOR UPDATE`, since SQLite's
// transactions run one at a time anyway.
std::string to_sqlite_dialect(std::string_view sql);

}  // namespace flow::sqlite
