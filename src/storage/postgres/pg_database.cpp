#include "storage/postgres/pg_database.hpp"
#include "storage/postgres/pg_dialect.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>
#include <map>
#include <new>
#include <string_view>

namespace flow::postgres {

namespace {

// Type OIDs are fixed in PostgreSQL's catalog; libpq-dev does not ship pg_type_d.h.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// `sql` on one line and cut short, to say which statement failed.
std::string excerpt(std::string_view sql) {
    std::string out;
    for (char c : sql) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
        if (out.size() >= 160) return out + "...";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// libpq's messages end with a newline and may span several (tab-indented) lines.
std::string one_line(const char* message) {
    std::string out;
    for (const char* p = message ? message : ""; *p; ++p) {
        const bool space = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
        if (!space)
            out += *p;
        else if (!out.empty() && out.back() != ' ')
            out += ' ';
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// "postgresql: <message> (SQLSTATE <code>) in: <sql>". The detail field is left out: it
// quotes row values (phone numbers, names) that do not belong in logs.
[[noreturn]] void fail(const PGresult* result, PGconn* conn, std::string_view sql) {
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message =
        "postgresql: " + (primary ? std::string(primary) : one_line(PQerrorMessage(conn)));
    if (state) message += std::string(" (SQLSTATE ") + state + ")";
    if (!sql.empty()) message += " in: " + excerpt(sql);
    throw sql::Failure(message);
}

void check(const Result& result, PGconn* conn, std::string_view sql) {
    if (!result) fail(nullptr, conn, sql);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result.get(), conn, sql);
}

// Warnings the server sends (notices are turned off per connection) go to the log rather
// than to stderr.
void log_notice(void*, const PGresult* result) {
    const char* message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    spdlog::warn("postgresql: {}", message ? message : "(notice without a message)");
}

// What the URL names, for messages: the host, port, database and user, never the password.
struct Target {
    std::string description;
    std::vector<std::string> secrets;  // strings to scrub from libpq's messages
};

// The password as written in the URL (`scheme://user:password@host`), before decoding.
std::string raw_password(const std::string& url) {
    const auto start = url.find("://");
    if (start == std::string::npos) return {};
    const auto authority = url.substr(start + 3, url.find_first_of("/?", start + 3) - start - 3);
    const auto at = authority.rfind('@');
    if (at == std::string::npos) return {};
    const auto colon = authority.find(':');
    return colon < at ? authority.substr(colon + 1, at - colon - 1) : std::string();
}

std::string scrub(std::string message, const std::vector<std::string>& secrets) {
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at))
            message.replace(at, secret.size(), "***");
    }
    return message;
}

Target parse_target(const std::string& url) {
    Target target;
    target.secrets.push_back(raw_password(url));
    if (const auto at = url.find("password="); at != std::string::npos)
        target.secrets.push_back(url.substr(at + 9, url.find('&', at) - at - 9));
    if (!url.starts_with("postgresql://") && !url.starts_with("postgres://"))
        throw sql::Failure("postgresql: the database URL must start with postgresql://");
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
        std::string message = error ? one_line(error) : "out of memory";
        PQfreemem(error);
        throw sql::Failure("postgresql: malformed database URL: " + scrub(message, target.secrets));
    }
    std::map<std::string, std::string, std::less<>> fields;
    for (auto* option = options; option->keyword; ++option)
        if (option->val) fields[option->keyword] = option->val;
    PQconninfoFree(options);
    target.secrets.push_back(fields["password"]);
    const std::string host = fields["host"].empty() ? fields["hostaddr"] : fields["host"];
    target.description = (host.empty() ? "the default host" : host) +
                         (fields["port"].empty() ? "" : ":" + fields["port"]) + " (database " +
                         (fields["dbname"].empty() ? "(default)" : fields["dbname"]) + ", user " +
                         (fields["user"].empty() ? "(default)" : fields["user"]) + ")";
    return target;
}

}  // namespace

// One prepared statement of one connection, with its bindings and its buffered result.
class PgStatement final : public sql::StatementImpl {
public:
    PgStatement(PGconn* conn, std::string name, std::string sql, int parameters)
        : conn_(conn), name_(std::move(name)), sql_(std::move(sql)), params_(parameters) {}

    void bind_text(int index, std::string_view text) override {
        // Text parameters travel as C strings, and PostgreSQL text cannot hold NUL anyway.
        if (text.find('\0') != std::string_view::npos)
            throw sql::Failure("postgresql: text parameter $" + std::to_string(index) +
                               " contains a NUL byte in: " + excerpt(sql_));
        param(index) = {std::string(text), false, false};
    }
    void bind_integer(int index, std::int64_t value) override {
        param(index) = {std::to_string(value), false, false};
    }
    void bind_blob(int index, std::string_view bytes) override {
        param(index) = {std::string(bytes), false, true};
    }
    void bind_null(int index) override { param(index) = {}; }

    bool step() override {
        if (!executed_) {
            const auto n = params_.size();
            std::vector<const char*> values(n);
            std::vector<int> lengths(n), formats(n);
            for (std::size_t i = 0; i < n; ++i) {
                values[i] = params_[i].null ? nullptr : params_[i].value.c_str();
                lengths[i] = static_cast<int>(params_[i].value.size());
                formats[i] = params_[i].binary ? 1 : 0;
            }
            Result result(PQexecPrepared(conn_, name_.c_str(), static_cast<int>(n), values.data(),
                                         lengths.data(), formats.data(), 0));
            check(result, conn_, sql_);
            result_ = std::move(result);
            executed_ = true;
            row_ = -1;
        }
        const int rows = PQntuples(result_.get());
        if (row_ < rows) ++row_;
        return row_ < rows;
    }

    void reset() override {
        result_.reset();
        executed_ = false;
        row_ = -1;
        for (auto& p : params_) p = {};
    }

    bool is_null(int column) const override {
        cell(column);
        return PQgetisnull(result_.get(), row_, column) != 0;
    }

    // NULL reads as 0, and a boolean expression as 1 or 0, as SQLite gives them.
    std::int64_t integer(int column) const override {
        const char* value = cell(column);
        if (PQgetisnull(result_.get(), row_, column)) return 0;
        if (PQftype(result_.get(), column) == kBoolOid) return value[0] == 't' ? 1 : 0;
        const char* end = value + PQgetlength(result_.get(), row_, column);
        std::int64_t out = 0;
        const auto [ptr, ec] = std::from_chars(value, end, out);
        if (ec != std::errc() || ptr != end)
            throw sql::Failure(std::string("postgresql: column ") + PQfname(result_.get(), column) +
                               " is not a 64-bit integer in: " + excerpt(sql_));
        return out;
    }

    std::string text(int column) const override {
        const char* value = cell(column);
        return std::string(value,
                           static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
    }

    // A bytea column comes in its text form (`\x` and hex digits): decoded here.
    std::string blob(int column) const override {
        const char* value = cell(column);
        if (PQftype(result_.get(), column) != kByteaOid || PQgetisnull(result_.get(), row_, column))
            return text(column);
        std::size_t length = 0;
        unsigned char* bytes =
            PQunescapeBytea(reinterpret_cast<const unsigned char*>(value), &length);
        if (!bytes) throw std::bad_alloc();
        std::string out(reinterpret_cast<const char*>(bytes), length);
        PQfreemem(bytes);
        return out;
    }

    std::int64_t changes() const override {
        if (!result_) return 0;
        const char* count = PQcmdTuples(result_.get());
        std::int64_t out = 0;
        std::from_chars(count, count + std::strlen(count), out);
        return out;
    }

private:
    struct Param {
        std::string value;
        bool null = true;  // also what an unbound parameter sends, as in SQLite
        bool binary = false;
    };

    Param& param(int index) {
        if (index < 1 || static_cast<std::size_t>(index) > params_.size())
            throw sql::Failure("postgresql: no parameter $" + std::to_string(index) +
                               " (the statement has " + std::to_string(params_.size()) +
                               ") in: " + excerpt(sql_));
        return params_[static_cast<std::size_t>(index - 1)];
    }

    // The value at `column` of the current row; throws when there is none.
    const char* cell(int column) const {
        if (!result_ || row_ < 0 || row_ >= PQntuples(result_.get()))
            throw sql::Failure("postgresql: a column read with no current row in: " +
                               excerpt(sql_));
        if (column < 0 || column >= PQnfields(result_.get()))
            throw sql::Failure("postgresql: no column " + std::to_string(column) +
                               " in: " + excerpt(sql_));
        return PQgetvalue(result_.get(), row_, column);
    }

    PGconn* conn_;
    std::string name_;
    std::string sql_;
    std::vector<Param> params_;
    Result result_;
    bool executed_ = false;
    int row_ = -1;
};

// One libpq connection and its prepared statements. Used by one thread at a time, the
// one holding it from the pool.
class PgConnection final : public sql::Connection {
public:
    explicit PgConnection(PGconn* conn) : conn_(conn) {
        PQsetNoticeReceiver(conn_, log_notice, nullptr);
        try {
            configure();
        } catch (...) {
            PQfinish(conn_);
            throw;
        }
    }
    ~PgConnection() override {
        statements_.clear();
        PQfinish(conn_);
    }
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    sql::Statement prepare(const char* sql) override {
        auto it = statements_.find(std::string_view(sql));
        if (it == statements_.end()) {
            std::string name = "flow_" + std::to_string(next_name_++);
            const auto text = to_postgres_dialect(sql);
            check(Result(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr)), conn_, sql);
            Result described(PQdescribePrepared(conn_, name.c_str()));
            check(described, conn_, sql);
            const int parameters = PQnparams(described.get());
            it = statements_
                     .emplace(sql, std::make_unique<PgStatement>(conn_, std::move(name), sql,
                                                                 parameters))
                     .first;
        }
        it->second->reset();
        return sql::Statement(*it->second);
    }

    void exec(const char* sql) override { check(Result(PQexec(conn_, sql)), conn_, sql); }

    void begin() override { exec("BEGIN"); }

    void commit() override {
        // After a failed statement PostgreSQL ignores everything up to the end of the
        // transaction and answers COMMIT with ROLLBACK: a commit that did not happen.
        if (PQtransactionStatus(conn_) == PQTRANS_INERROR)
            throw sql::Failure("postgresql: cannot commit: a statement of the transaction failed");
        Result result(PQexec(conn_, "COMMIT"));
        check(result, conn_, "COMMIT");
        if (std::strcmp(PQcmdStatus(result.get()), "COMMIT") != 0)
            throw sql::Failure("postgresql: the transaction was rolled back, not committed");
    }

    void rollback() noexcept override {
        const auto status = PQtransactionStatus(conn_);
        if (status == PQTRANS_IDLE || status == PQTRANS_UNKNOWN) return;
        PQclear(PQexec(conn_, "ROLLBACK"));
    }

    // Reconnects if the server dropped the connection; prepared statements die with the
    // session, so the cache goes too. Throws when the server cannot be reached.
    void recover() {
        if (PQstatus(conn_) == CONNECTION_OK) return;
        statements_.clear();
        PQreset(conn_);
        if (PQstatus(conn_) != CONNECTION_OK)
            throw sql::Failure("postgresql: lost the connection and cannot reconnect: " +
                               one_line(PQerrorMessage(conn_)));
        spdlog::info("postgresql: reconnected");
        configure();
    }

    // Readies the connection for its next holder: no transaction left open, and
    // reconnected if it broke (failing that, acquire() tries again).
    void tidy() noexcept {
        rollback();
        try {
            recover();
        } catch (const std::exception& e) {
            spdlog::warn("{}", e.what());
        }
    }

private:
    void configure() { exec("SET synchronous_commit = on; SET client_min_messages = warning"); }

    PGconn* conn_;
    std::map<std::string, std::unique_ptr<PgStatement>, std::less<>> statements_;
    std::uint64_t next_name_ = 1;
};

PgDatabase::PgDatabase(const std::string& url, std::size_t pool_size) {
    const Target target = parse_target(url);
    if (pool_size == 0)
        throw sql::Failure("postgresql: the connection pool needs at least one connection");
    // Keywords before `dbname` are defaults that the URL's own parameters override.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "flowd", url.c_str(), nullptr};
    for (std::size_t i = 0; i < pool_size; ++i) {
        PGconn* conn = PQconnectdbParams(keywords, values, 1);
        if (!conn) throw std::bad_alloc();
        if (PQstatus(conn) != CONNECTION_OK) {
            std::string message = scrub(one_line(PQerrorMessage(conn)), target.secrets);
            PQfinish(conn);
            throw sql::Failure("postgresql: cannot connect to " + target.description + ": " +
                               message);
        }
        connections_.push_back(std::make_unique<PgConnection>(conn));
        idle_.push_back(connections_.back().get());
    }
}

PgDatabase::~PgDatabase() = default;

bool PgDatabase::ping() {
    try {
        return with([](sql::Connection& connection) {
            connection.exec("SELECT 1");
            return true;
        });
    } catch (...) {
        return false;
    }
}

sql::Connection& PgDatabase::acquire() {
    PgConnection* connection = nullptr;
    {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [&] { return !idle_.empty(); });
        connection = idle_.back();
        idle_.pop_back();
    }
    try {
        connection->recover();
    } catch (...) {
        // Back to the pool still broken: the next acquire() tries to reconnect again.
        {
            std::lock_guard lock(mutex_);
            idle_.push_back(connection);
        }
        available_.notify_one();
        throw;
    }
    return *connection;
}

void PgDatabase::release(sql::Connection& connection) noexcept {
    auto& pg = static_cast<PgConnection&>(connection);
    pg.tidy();
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(&pg);
    }
    available_.notify_one();
}

}  // namespace flow::postgres
