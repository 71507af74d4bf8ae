#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sql/database.hpp"

namespace flow::postgres {

class PgConnection;

// A pool of libpq connections to one PostgreSQL database, all opened at construction so
// that a bad URL or an unreachable server fails at start-up. Each connection caches its
// prepared statements by SQL text, sends parameters as text (blobs as binary bytea) and
// reads results as text. acquire() waits for a free connection; a connection found broken
// is reset (and its statement cache dropped) before it is lent again. Commits are durable
// (synchronous_commit = on). Owned by app/; thread-safe.
class PgDatabase final : public sql::Database {
public:
    // `url` is a `postgresql://user[:password]@host[:port]/dbname[?param=value...]` URL.
    // Throws sql::Failure naming the host (never the password) when it cannot connect.
    explicit PgDatabase(const std::string& url, std::size_t pool_size = 8);
    ~PgDatabase() override;
    PgDatabase(const PgDatabase&) = delete;
    PgDatabase& operator=(const PgDatabase&) = delete;

    bool ping() override;
    std::string engine() const override { return "postgresql"; }

protected:
    sql::Connection& acquire() override;
    void release(sql::Connection& connection) noexcept override;

private:
    std::vector<std::unique_ptr<PgConnection>> connections_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<PgConnection*> idle_;  // guarded by mutex_
};

}  // namespace flow::postgres
