#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace flow::sql {

// The SQL the stores run is the common ground of SQLite and PostgreSQL: `?` parameters
// (`?2` to name one used twice; PostgreSQL gets them as `$n`), `ON CONFLICT`, `RETURNING`,
// `CAST(? AS TEXT)` where a parameter's type is not otherwise clear, `COALESCE` and `CASE`
// rather than engine-specific functions, and booleans as INTEGER 0/1. One exception:
// `FOR UPDATE` locks rows for the rest of a transaction on PostgreSQL and is dropped for
// SQLite, whose transactions run one at a time anyway.

// A statement being run, as an engine implements it. Binds are 1-based, columns 0-based.
class StatementImpl {
public:
    virtual ~StatementImpl() = default;
    virtual void bind_text(int index, std::string_view text) = 0;
    virtual void bind_integer(int index, std::int64_t value) = 0;
    virtual void bind_blob(int index, std::string_view bytes) = 0;
    virtual void bind_null(int index) = 0;
    // Runs the statement on the first call, then moves to the next row; false after the last.
    virtual bool step() = 0;
    // Makes the statement ready to be bound and run again.
    virtual void reset() = 0;
    virtual bool is_null(int column) const = 0;
    virtual std::int64_t integer(int column) const = 0;
    virtual std::string text(int column) const = 0;
    virtual std::string blob(int column) const = 0;
    // The number of rows the statement changed, once run.
    virtual std::int64_t changes() const = 0;
};

// A prepared statement, lent by its Connection for one unit of work and reset when it
// goes out of scope. Not thread-safe.
class Statement {
public:
    explicit Statement(StatementImpl& impl) : impl_(&impl) {}
    ~Statement() { impl_->reset(); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text) {
        impl_->bind_text(index, text);
        return *this;
    }
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, std::int64_t value) {
        impl_->bind_integer(index, value);
        return *this;
    }
    Statement& bind(int index, const std::optional<std::string>& text) {
        return text ? bind(index, std::string_view(*text)) : bind_null(index);
    }
    Statement& bind(int index, const std::optional<std::int64_t>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }
    Statement& bind_blob(int index, std::string_view bytes) {
        impl_->bind_blob(index, bytes);
        return *this;
    }
    Statement& bind_null(int index) {
        impl_->bind_null(index);
        return *this;
    }

    bool step() { return impl_->step(); }
    // Runs a statement that returns no rows, or ignores them.
    void run() {
        while (step()) {
        }
    }
    void reset() { impl_->reset(); }
    std::int64_t changes() const { return impl_->changes(); }

    std::int64_t integer(int column) const { return impl_->integer(column); }
    std::string text(int column) const { return impl_->text(column); }
    std::optional<std::string> optional_text(int column) const {
        return impl_->is_null(column) ? std::nullopt : std::optional(impl_->text(column));
    }
    std::optional<std::int64_t> optional_integer(int column) const {
        return impl_->is_null(column) ? std::nullopt : std::optional(impl_->integer(column));
    }
    std::string blob(int column) const { return impl_->blob(column); }

private:
    StatementImpl* impl_;
};

// One connection to the database, held by one unit of work at a time.
class Connection {
public:
    virtual ~Connection() = default;
    // A prepared statement for `sql`, cached per connection by its text (so the stores
    // must build their SQL from a bounded set of texts).
    virtual Statement prepare(const char* sql) = 0;
    // Runs SQL without parameters or results (several statements allowed).
    virtual void exec(const char* sql) = 0;
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
};

// Where the stores get connections: SQLite's one connection behind a lock, or a pool of
// PostgreSQL connections. Durable: a committed transaction survives a crash. Thread-safe.
class Database {
public:
    virtual ~Database() = default;

    // Runs `work(connection)` inside a transaction, committed (durably) before this
    // returns, or rolled back if `work` throws (and the exception rethrown). Returns what
    // `work` returns. An engine may commit the work of several threads together.
    template <class Work>
    auto transaction(Work&& work) {
        using Returned = decltype(work(std::declval<Connection&>()));
        if constexpr (std::is_void_v<Returned>) {
            run_transaction([&](Connection& connection) { work(connection); });
        } else {
            std::optional<Returned> result;
            run_transaction([&](Connection& connection) { result.emplace(work(connection)); });
            return std::move(*result);
        }
    }

    // Runs `work(connection)` without a transaction of its own: for a single statement,
    // which both engines make atomic, or reads that need no snapshot.
    template <class Work>
    auto with(Work&& work) {
        Lease lease(*this);
        return work(lease.connection());
    }

    // What runs inside a transaction; and what hears that it committed (a null exception)
    // or why it did not.
    using TransactionWork = std::function<void(Connection&)>;
    using Committed = std::function<void(std::exception_ptr)>;

    // Like transaction(), without waiting: `done` is called once the work is committed
    // durably, or with what it threw. An engine that commits on threads of its own
    // returns at once and calls `done` on one of them, which lets one caller have many
    // transactions in flight, heard of in order; the default commits before it returns.
    // `done` must not wait on this database: that thread is the one that hands out commits.
    virtual void submit(TransactionWork work, Committed done) {
        try {
            run_transaction(work);
        } catch (...) {
            return done(std::current_exception());
        }
        done(nullptr);
    }

    // Whether submit() returns at once, before the work runs.
    virtual bool submits_in_background() const { return false; }

    // Whether the database answers; for /health.
    virtual bool ping() = 0;
    // The engine's name, for logs: "sqlite" or "postgresql".
    virtual std::string engine() const = 0;

protected:
    // Runs `work` in a transaction of its own on a connection of its own.
    virtual void run_transaction(const TransactionWork& work) {
        Lease lease(*this);
        Connection& connection = lease.connection();
        connection.begin();
        try {
            work(connection);
            connection.commit();
        } catch (...) {
            connection.rollback();
            throw;
        }
    }
    // A connection for the caller alone until release(); may wait for one.
    virtual Connection& acquire() = 0;
    virtual void release(Connection& connection) noexcept = 0;

private:
    class Lease {
    public:
        explicit Lease(Database& db) : db_(db), connection_(db.acquire()) {}
        ~Lease() { db_.release(connection_); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& connection() { return connection_; }

    private:
        Database& db_;
        Connection& connection_;
    };
};

// Thrown when the database reports an error: the request boundary turns it into a 500.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace flow::sql
