#include "storage/sqlite/sqlite_database.hpp"

#include <future>
#include <string>
#include <unordered_map>

#include "common/thread_name.hpp"

namespace flow::sqlite {

namespace {

void check(sqlite3* db, int rc, std::string_view what) {
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        throw sql::Failure("sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

class Statement final : public sql::StatementImpl {
public:
    explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt), db_(sqlite3_db_handle(stmt)) {}
    ~Statement() override { sqlite3_finalize(stmt_); }

    void bind_text(int index, std::string_view text) override {
        check(db_, sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
              "bind");
    }
    void bind_integer(int index, std::int64_t value) override {
        check(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
    }
    void bind_blob(int index, std::string_view bytes) override {
        check(db_, sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT),
              "bind");
    }
    void bind_null(int index) override { check(db_, sqlite3_bind_null(stmt_, index), "bind"); }
    bool step() override {
        if (done_) return false;  // SQLite would start over
        const int rc = sqlite3_step(stmt_);
        check(db_, rc, sqlite3_sql(stmt_));
        if (rc == SQLITE_DONE) {
            changes_ = sqlite3_changes64(db_);
            done_ = true;
        }
        return rc == SQLITE_ROW;
    }
    void reset() override {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        done_ = false;
    }
    bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
    std::string text(int column) const override {
        const auto* p = sqlite3_column_text(stmt_, column);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                 : std::string();
    }
    std::string blob(int column) const override {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
    }
    std::int64_t changes() const override { return changes_; }

private:
    sqlite3_stmt* stmt_;
    sqlite3* db_;
    std::int64_t changes_ = 0;
    bool done_ = false;
};

}  // namespace

class SqliteDatabase::Connection final : public sql::Connection {
public:
    explicit Connection(const std::string& path) {
        // SQLite keeps memory statistics under a global mutex taken on every allocation;
        // nothing reads them. Must come before SQLite initialises (it refuses after).
        static const bool configured = (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0), true);
        (void)configured;
        const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK) {
            const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw sql::Failure("sqlite: cannot open " + path + ": " + message);
        }
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA foreign_keys=ON");
        exec("PRAGMA busy_timeout=5000");
        // Pages are read through a memory map rather than copied in by pread, and a busy
        // chat's index pages stay in SQLite's own cache (2 MiB by default).
        exec("PRAGMA mmap_size=268435456");
        exec("PRAGMA cache_size=-16384");
        exec("PRAGMA wal_autocheckpoint=8192");
    }
    ~Connection() override {
        statements_.clear();
        sqlite3_close(db_);
    }

    sql::Statement prepare(const char* sql) override {
        auto it = statements_.find(std::string_view(sql));
        if (it == statements_.end()) {
            const auto text = to_sqlite_dialect(sql);
            sqlite3_stmt* stmt = nullptr;
            check(db_, sqlite3_prepare_v3(db_, text.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), text);
            it = statements_.emplace(sql, std::make_unique<Statement>(stmt)).first;
        }
        it->second->reset();
        return sql::Statement(*it->second);
    }
    void exec(const char* sql) override {
        char* message = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message ? message : "unknown error";
            sqlite3_free(message);
            throw sql::Failure(std::string("sqlite: ") + sql + ": " + text);
        }
    }
    // IMMEDIATE takes the write lock at once, so a transaction never fails half-way for
    // want of it.
    // Prepared once, like every statement: these run for every transaction.
    void begin() override { prepare("BEGIN IMMEDIATE").run(); }
    void commit() override { prepare("COMMIT").run(); }
    void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

private:
    sqlite3* db_ = nullptr;
    // Looked up for every statement run: hashed, not compared text against text.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };
    std::unordered_map<std::string, std::unique_ptr<Statement>, TextHash, std::equal_to<>> statements_;
};

std::string to_sqlite_dialect(std::string_view sql) {
    constexpr std::string_view kForUpdate = " FOR UPDATE";
    std::string out(sql);
    for (auto at = out.find(kForUpdate); at != std::string::npos; at = out.find(kForUpdate, at))
        out.erase(at, kForUpdate.size());
    return out;
}

SqliteDatabase::SqliteDatabase(const std::string& path)
    : connection_(std::make_unique<Connection>(path)),
      writer_([this] { write_loop(); }),
      notifier_([this] { notify_loop(); }) {}

SqliteDatabase::~SqliteDatabase() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queued_.notify_one();
    writer_.join();
    notifier_.join();
}

void SqliteDatabase::submit(TransactionWork work, Committed done) {
    {
        std::lock_guard lock(queue_mutex_);
        queue_.push_back({std::move(work), std::move(done), nullptr});
    }
    queued_.notify_one();
}

void SqliteDatabase::run_transaction(const TransactionWork& work) {
    std::promise<void> committed;
    submit(std::cref(work), [&committed](std::exception_ptr error) {
        if (error) committed.set_exception(error);
        else committed.set_value();
    });
    committed.get_future().get();
}

void SqliteDatabase::write_loop() {
    name_this_thread("flow-sql-write");
    // Bounds how long one transaction holds the connection.
    constexpr std::size_t kMaxBatch = 256;
    for (;;) {
        std::vector<Pending> batch;
        {
            std::unique_lock lock(queue_mutex_);
            queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) break;  // stopping, and everything committed
            const auto n = std::min(queue_.size(), kMaxBatch);
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
            queue_.erase(queue_.begin(), queue_.begin() + n);
        }
        commit_batch(batch);
        if (hand_to_notifier(batch)) continue;
        // Nothing waits to be committed and the notifier has nothing: the writer tells
        // the batch itself, which spares a thread switch per commit when writes come one
        // at a time. Order holds: the next batch waits for this one.
        for (auto& pending : batch) pending.done(pending.error);
    }
    {
        std::lock_guard lock(committed_mutex_);
        writer_done_ = true;
    }
    committed_.notify_one();
}

bool SqliteDatabase::hand_to_notifier(std::vector<Pending>& batch) {
    bool more_to_commit;
    {
        std::lock_guard lock(queue_mutex_);
        more_to_commit = !queue_.empty();
    }
    {
        std::lock_guard lock(committed_mutex_);
        if (!more_to_commit && committed_batches_.empty() && !notifying_) return false;
        committed_batches_.push_back(std::move(batch));
    }
    committed_.notify_one();
    return true;
}

void SqliteDatabase::notify_loop() {
    name_this_thread("flow-sql-notify");
    for (;;) {
        std::vector<Pending> batch;
        {
            std::unique_lock lock(committed_mutex_);
            committed_.wait(lock, [this] { return writer_done_ || !committed_batches_.empty(); });
            if (committed_batches_.empty()) return;  // the writer has stopped: nothing more comes
            batch = std::move(committed_batches_.front());
            committed_batches_.pop_front();
            notifying_ = true;
        }
        for (auto& pending : batch) pending.done(pending.error);
        std::lock_guard lock(committed_mutex_);
        notifying_ = false;
    }
}

void SqliteDatabase::commit_batch(std::vector<Pending>& batch) {
    std::lock_guard lock(mutex_);
    auto& connection = *connection_;
    try {
        connection.begin();
        for (auto& pending : batch) {
            if (batch.size() == 1) {
                pending.work(connection);
                continue;
            }
            connection.prepare("SAVEPOINT work").run();
            try {
                pending.work(connection);
                connection.prepare("RELEASE work").run();
            } catch (...) {
                pending.error = std::current_exception();
                connection.prepare("ROLLBACK TO work").run();
                connection.prepare("RELEASE work").run();
            }
        }
        connection.commit();
    } catch (...) {
        // The transaction as a whole failed (or the one work of a batch of one threw):
        // nothing of it was kept.
        connection.rollback();
        for (auto& pending : batch)
            if (!pending.error) pending.error = std::current_exception();
    }
}

sql::Connection& SqliteDatabase::acquire() {
    mutex_.lock();
    return *connection_;
}

void SqliteDatabase::release(sql::Connection&) noexcept { mutex_.unlock(); }

bool SqliteDatabase::ping() {
    try {
        return with([](sql::Connection& db) {
            auto stmt = db.prepare("SELECT 1");
            return stmt.step() && stmt.integer(0) == 1;
        });
    } catch (const sql::Failure&) {
        return false;
    }
}

}  // namespace flow::sqlite
