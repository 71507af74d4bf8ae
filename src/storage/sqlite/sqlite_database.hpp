#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <stdexcept>
#include <type_traits>

namespace flow::sqlite {

// One prepared statement, reset and cleared each time it is handed out. Binds are
// 1-based, columns 0-based, as in SQLite. Owned by its Database; not thread-safe.
class Statement {
public:
    explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
    // Resets, so no statement stays open between units of work.
    ~Statement() { sqlite3_reset(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, const std::optional<std::string>& text);
    Statement& bind(int index, const std::optional<std::int64_t>& value);
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);

    // Advances to the next row; false when there is none (SQLITE_DONE).
    bool step();
    // Runs a statement that returns no rows.
    void run();
    // Makes the statement ready to be bound and run again.
    void reset() { sqlite3_reset(stmt_); }

    std::int64_t integer(int column) const;
    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    std::string blob(int column) const;

private:
    sqlite3_stmt* stmt_;
};

// One SQLite connection in WAL mode with FULL synchronous commits, so a committed
// transaction survives a crash of the process or the machine. Callers take the
// connection for one atomic unit of work at a time; thread-safe through that lock.
class Database {
public:
    explicit Database(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs `work(*this)` alone on the connection inside BEGIN IMMEDIATE ... COMMIT, rolling
    // back if it throws. Returns what `work` returns.
    template <class Work>
    auto transaction(Work&& work) {
        std::lock_guard lock(mutex_);
        exec("BEGIN IMMEDIATE");
        try {
            if constexpr (std::is_void_v<decltype(work(*this))>) {
                work(*this);
                exec("COMMIT");
            } else {
                auto result = work(*this);
                exec("COMMIT");
                return result;
            }
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }

    // Runs `work(*this)` alone on the connection without a transaction of its own: for a
    // single statement, which SQLite makes atomic anyway.
    template <class Work>
    auto with(Work&& work) {
        std::lock_guard lock(mutex_);
        return work(*this);
    }

    // A cached prepared statement for `sql`; only while the connection is held.
    Statement prepare(const char* sql);
    void exec(const char* sql);
    // The number of rows the last statement changed.
    int changes() const;

private:
    sqlite3* db_ = nullptr;
    std::mutex mutex_;
    std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

// Thrown when SQLite reports an error: the request boundary turns it into a 500.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace flow::sqlite
