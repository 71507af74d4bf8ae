// What the stores rely on from a SQL engine (sql::Database and its connections and
// statements), for SQLite and PostgreSQL alike, and what PostgreSQL's engine adds: the pool, reconnection, migrations run by
// several nodes at once; and the stores whose SQL leans on the engine most (contacts, privacy
// settings, reports). The PostgreSQL cases run when FLOW_TEST_POSTGRES_URL is set
// (`scripts/postgres.sh start DIR` prints one) and are skipped otherwise; each test works in
// a schema of its own, so tests can run in parallel against one database.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "domain/chat.hpp"
#include "storage/postgres/pg_database.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/sql/schema.hpp"
#include "storage/sql/sql_admin_store.hpp"
#include "storage/sql/sql_block_store.hpp"
#include "storage/sql/sql_chat_store.hpp"
#include "storage/sql/sql_media_catalog.hpp"
#include "storage/sql/sql_privacy_store.hpp"
#include "storage/sql/sql_report_store.hpp"
#include "storage/sql/sql_sign_in_store.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace flow {
namespace {

using I = std::int64_t;

std::string random_name(const std::string& prefix) {
    static std::mt19937_64 random{std::random_device{}()};
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string name = prefix;
    for (int i = 0; i < 12; ++i) name += kDigits[random() % 36];
    return name;
}

// A schema of its own on the test server, dropped at the end: a URL to it puts it first on
// the search path, so unqualified tables land there.
class PgScratch {
public:
    explicit PgScratch(std::string base) : base_(std::move(base)), admin_(base_, 1) {
        admin_.with([&](sql::Connection& c) { c.exec(("CREATE SCHEMA " + name_).c_str()); });
    }
    ~PgScratch() {
        try {
            admin_.with(
                [&](sql::Connection& c) { c.exec(("DROP SCHEMA " + name_ + " CASCADE").c_str()); });
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
        }
    }
    std::string url() const {
        return base_ + (base_.find('?') == std::string::npos ? "?" : "&") +
               "options=-c%20search_path%3D" + name_;
    }

private:
    std::string base_;
    std::string name_ = random_name("flow_test_");
    postgres::PgDatabase admin_;
};

// An engine under test: opens databases on a fresh, empty store of its own.
class Engine {
public:
    virtual ~Engine() = default;
    virtual std::unique_ptr<sql::Database> open(std::size_t connections) = 0;
};

class PgEngine final : public Engine {
public:
    explicit PgEngine(const std::string& url) : scratch_(url) {}
    std::unique_ptr<sql::Database> open(std::size_t connections) override {
        return std::make_unique<postgres::PgDatabase>(scratch_.url(), connections);
    }

private:
    PgScratch scratch_;
};

// SQLite on a file in a temporary folder of its own, removed at the end.
class SqliteEngine final : public Engine {
public:
    SqliteEngine() : dir_(std::filesystem::temp_directory_path() / random_name("flow-sql-test-")) {
        std::filesystem::create_directories(dir_);
    }
    ~SqliteEngine() override { std::filesystem::remove_all(dir_); }
    std::unique_ptr<sql::Database> open(std::size_t) override {
        return std::make_unique<sqlite::SqliteDatabase>((dir_ / "test.db").string());
    }

private:
    std::filesystem::path dir_;
};

const char* postgres_url() {
    return std::getenv("FLOW_TEST_POSTGRES_URL");
}

#define FLOW_REQUIRE_POSTGRES()                                                                  \
    do {                                                                                         \
        if (!postgres_url())                                                                     \
            GTEST_SKIP() << "FLOW_TEST_POSTGRES_URL is not set (scripts/postgres.sh start DIR)"; \
    } while (false)

// ---------------------------------------------------------------------------------------
// The contract, for every engine.

class SqlEngineContract : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() == "postgresql") {
            FLOW_REQUIRE_POSTGRES();
            engine_ = std::make_unique<PgEngine>(postgres_url());
        } else {
            engine_ = std::make_unique<SqliteEngine>();
        }
        db_ = engine_->open(8);
        exec("CREATE TABLE t (id BIGINT PRIMARY KEY, s TEXT, n BIGINT, b BYTEA)");
    }

    void exec(const char* sql) {
        db_->with([&](sql::Connection& c) { c.exec(sql); });
    }

    void insert(I id, const std::optional<std::string>& s, const std::optional<I>& n) {
        db_->with([&](sql::Connection& c) {
            c.prepare("INSERT INTO t (id, s, n) VALUES (?1, ?2, ?3)")
                .bind(1, id)
                .bind(2, s)
                .bind(3, n)
                .run();
        });
    }

    I count(const char* where) {
        return db_->with([&](sql::Connection& c) {
            auto stmt = c.prepare((std::string("SELECT COUNT(*) FROM t WHERE ") + where).c_str());
            EXPECT_TRUE(stmt.step());
            return stmt.integer(0);
        });
    }

    std::unique_ptr<Engine> engine_;
    std::unique_ptr<sql::Database> db_;
};

TEST_P(SqlEngineContract, TextRoundTripsIncludingEmptyAndUtf8) {
    const std::vector<std::string> texts = {"hello", "", "héllo wörld ✓ 日本語 🎉",
                                            "quote ' and \\ backslash", std::string(100000, 'x')};
    for (std::size_t i = 0; i < texts.size(); ++i) insert(I(i), texts[i], std::nullopt);
    db_->with([&](sql::Connection& c) {
        for (std::size_t i = 0; i < texts.size(); ++i) {
            auto stmt = c.prepare("SELECT s, length(s) FROM t WHERE id = ?1");
            stmt.bind(1, I(i));
            ASSERT_TRUE(stmt.step());
            EXPECT_EQ(stmt.text(0), texts[i]);
            EXPECT_EQ(stmt.optional_text(0), std::optional(texts[i]));  // empty is not NULL
            EXPECT_FALSE(stmt.step());
        }
        // A text parameter compared in a WHERE finds its row.
        auto stmt = c.prepare("SELECT id FROM t WHERE s = ?1");
        stmt.bind(1, texts[2]);
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), 2);
    });
}

TEST_P(SqlEngineContract, IntegersRoundTripIncludingNegativesAndExtremes) {
    const std::vector<I> values = {
        0, 1, -1, -42, 1700000000000, std::numeric_limits<I>::max(), std::numeric_limits<I>::min()};
    for (std::size_t i = 0; i < values.size(); ++i) insert(I(i), std::nullopt, values[i]);
    db_->with([&](sql::Connection& c) {
        for (std::size_t i = 0; i < values.size(); ++i) {
            auto stmt = c.prepare("SELECT n FROM t WHERE n = ?1");
            stmt.bind(1, values[i]);
            ASSERT_TRUE(stmt.step()) << values[i];
            EXPECT_EQ(stmt.integer(0), values[i]);
            EXPECT_EQ(stmt.optional_integer(0), std::optional(values[i]));
        }
        auto sum = c.prepare("SELECT n + 1 FROM t WHERE id = ?1");
        sum.bind(1, I(3));
        ASSERT_TRUE(sum.step());
        EXPECT_EQ(sum.integer(0), -41);
    });
}

TEST_P(SqlEngineContract, NullsBindAndReadAsNullopt) {
    insert(1, std::nullopt, std::nullopt);
    db_->with([&](sql::Connection& c) {
        c.prepare("INSERT INTO t (id, s, n, b) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, I(2))
            .bind_null(2)
            .bind_null(3)
            .bind_null(4)
            .run();
        for (I id : {1, 2}) {
            auto stmt = c.prepare("SELECT s, n, b FROM t WHERE id = ?1");
            stmt.bind(1, id);
            ASSERT_TRUE(stmt.step());
            EXPECT_EQ(stmt.optional_text(0), std::nullopt);
            EXPECT_EQ(stmt.optional_integer(1), std::nullopt);
            EXPECT_EQ(stmt.optional_text(2), std::nullopt);
        }
    });
    EXPECT_EQ(count("s IS NULL AND n IS NULL"), 2);
}

TEST_P(SqlEngineContract, BlobsRoundTripEveryByteValue) {
    std::string all(256, '\0');
    for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<char>(i);
    std::string big(1 << 20, '\0');
    std::uint32_t x = 1;
    for (auto& ch : big) ch = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
    const std::vector<std::string> blobs = {std::string(), std::string(1, '\0'),
                                            std::string("\0\0\x01\xff", 4), all, big};
    db_->with([&](sql::Connection& c) {
        for (std::size_t i = 0; i < blobs.size(); ++i)
            c.prepare("INSERT INTO t (id, b) VALUES (?1, ?2)")
                .bind(1, I(i))
                .bind_blob(2, blobs[i])
                .run();
        for (std::size_t i = 0; i < blobs.size(); ++i) {
            auto stmt = c.prepare("SELECT b, length(b) FROM t WHERE id = ?1");
            stmt.bind(1, I(i));
            ASSERT_TRUE(stmt.step());
            EXPECT_EQ(stmt.blob(0), blobs[i]) << i;
            EXPECT_EQ(stmt.integer(1), I(blobs[i].size()));
            EXPECT_FALSE(stmt.optional_text(0) == std::nullopt);  // an empty blob is not NULL
        }
        // A blob parameter compared in a WHERE finds its row (sessions by token hash).
        auto stmt = c.prepare("SELECT id FROM t WHERE b = ?1");
        stmt.bind_blob(1, all);
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), 3);
        EXPECT_FALSE(stmt.step());
    });
}

TEST_P(SqlEngineContract, StepWalksEveryRowThenStaysDone) {
    for (I i = 1; i <= 5; ++i) insert(i, "row" + std::to_string(i), i * 10);
    db_->with([&](sql::Connection& c) {
        auto stmt = c.prepare("SELECT id, s, n FROM t WHERE id >= ?1 ORDER BY id");
        stmt.bind(1, I(2));
        std::vector<I> ids;
        while (stmt.step()) {
            ids.push_back(stmt.integer(0));
            EXPECT_EQ(stmt.text(1), "row" + std::to_string(ids.back()));
            EXPECT_EQ(stmt.integer(2), ids.back() * 10);
        }
        EXPECT_EQ(ids, (std::vector<I>{2, 3, 4, 5}));
        EXPECT_FALSE(stmt.step());
        // No rows at all.
        auto none = c.prepare("SELECT id FROM t WHERE id > ?1");
        none.bind(1, I(100));
        EXPECT_FALSE(none.step());
    });
}

TEST_P(SqlEngineContract, ChangesCountsTheRowsAStatementChanged) {
    db_->with([&](sql::Connection& c) {
        for (I i = 1; i <= 3; ++i) {
            auto stmt = c.prepare("INSERT INTO t (id, n) VALUES (?1, ?2)");
            stmt.bind(1, i).bind(2, I(0)).run();
            EXPECT_EQ(stmt.changes(), 1);
        }
        auto update = c.prepare("UPDATE t SET n = n + 1 WHERE n = ?1");
        update.bind(1, I(0)).run();
        EXPECT_EQ(update.changes(), 3);
        auto again = c.prepare("INSERT INTO t (id, n) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
        again.bind(1, I(2)).bind(2, I(9)).run();
        EXPECT_EQ(again.changes(), 0);
        auto remove = c.prepare("DELETE FROM t WHERE id > ?1");
        remove.bind(1, I(100)).run();
        EXPECT_EQ(remove.changes(), 0);
        auto returning = c.prepare("DELETE FROM t WHERE id >= ?1 RETURNING id");
        returning.bind(1, I(2));
        int rows = 0;
        while (returning.step()) ++rows;
        EXPECT_EQ(rows, 2);
        EXPECT_EQ(returning.changes(), 2);
    });
}

TEST_P(SqlEngineContract, TransactionCommitsAndRollsBackWhenWorkThrows) {
    const I id = db_->transaction([&](sql::Connection& c) {
        c.prepare("INSERT INTO t (id, s) VALUES (?1, ?2)").bind(1, I(1)).bind(2, "kept").run();
        return I(1);
    });
    EXPECT_EQ(id, 1);
    EXPECT_THROW(db_->transaction([&](sql::Connection& c) {
        c.prepare("INSERT INTO t (id, s) VALUES (?1, ?2)").bind(1, I(2)).bind(2, "dropped").run();
        c.prepare("UPDATE t SET s = ?1 WHERE id = ?2").bind(1, "changed").bind(2, I(1)).run();
        throw std::runtime_error("abandon");
    }),
                 std::runtime_error);
    EXPECT_EQ(count("id = 2"), 0);
    EXPECT_EQ(count("s = 'kept'"), 1);
    // A failing statement rolls the transaction back too, and the connection is usable again.
    EXPECT_THROW(db_->transaction([&](sql::Connection& c) {
        c.prepare("INSERT INTO t (id) VALUES (?1)").bind(1, I(3)).run();
        c.prepare("INSERT INTO t (id) VALUES (?1)").bind(1, I(1)).run();  // duplicate key
    }),
                 sql::Failure);
    EXPECT_EQ(count("id = 3"), 0);
    EXPECT_EQ(count("1 = 1"), 1);
}

TEST_P(SqlEngineContract, AStatementRunsManyTimes) {
    db_->transaction([&](sql::Connection& c) {
        for (I i = 0; i < 500; ++i)
            c.prepare("INSERT INTO t (id, n) VALUES (?1, ?2)").bind(1, i).bind(2, i * i).run();
    });
    db_->with([&](sql::Connection& c) {
        auto stmt = c.prepare("SELECT n FROM t WHERE id = ?1");
        for (I i = 0; i < 500; ++i) {
            stmt.reset();
            stmt.bind(1, i);
            ASSERT_TRUE(stmt.step());
            ASSERT_EQ(stmt.integer(0), i * i);
        }
    });
    EXPECT_EQ(count("n >= 0"), 500);
}

TEST_P(SqlEngineContract, AParameterCanAppearTwice) {
    insert(1, "a", 5);
    insert(2, "b", 7);
    db_->with([&](sql::Connection& c) {
        c.prepare("INSERT INTO t (id, n) VALUES (?1, ?1)").bind(1, I(3)).run();
        auto stmt = c.prepare("SELECT id FROM t WHERE id = ?1 OR n = ?1 ORDER BY id");
        stmt.bind(1, I(3));
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), 3);
        EXPECT_FALSE(stmt.step());
        stmt.reset();
        stmt.bind(1, I(7));
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), 2);
    });
}

// The optional-filter idiom: a NULL parameter means "any". PostgreSQL cannot infer the
// type of a bare `?1 IS NULL`; the CAST tells it.
TEST_P(SqlEngineContract, CastParameterIsNullFiltersOptionally) {
    insert(1, "a", 1);
    insert(2, "b", 2);
    insert(3, "a", 3);
    db_->with([&](sql::Connection& c) {
        const char* sql = "SELECT COUNT(*) FROM t WHERE CAST(?1 AS TEXT) IS NULL OR s = ?1";
        auto stmt = c.prepare(sql);
        stmt.bind(1, std::optional<std::string>());
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), 3);
        stmt.reset();
        stmt.bind(1, std::optional<std::string>("a"));
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), 2);

        auto flag = c.prepare("SELECT CAST(?1 AS TEXT) IS NULL");  // a boolean reads as 1 or 0
        flag.bind_null(1);
        ASSERT_TRUE(flag.step());
        EXPECT_EQ(flag.integer(0), 1);
        flag.reset();
        flag.bind(1, "x");
        ASSERT_TRUE(flag.step());
        EXPECT_EQ(flag.integer(0), 0);
    });
}

TEST_P(SqlEngineContract, ExecRunsSeveralStatements) {
    exec("CREATE TABLE u (v BIGINT); INSERT INTO u VALUES (1); INSERT INTO u VALUES (2)");
    db_->with([&](sql::Connection& c) {
        auto stmt = c.prepare("SELECT SUM(v) FROM u");
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), 3);
    });
}

// Read, then write, a counter under FOR UPDATE from 8 threads at once: no increment lost.
TEST_P(SqlEngineContract, ConcurrentTransactionsSerializeOnALockedRow) {
    exec("CREATE TABLE counter (id BIGINT PRIMARY KEY, value BIGINT NOT NULL)");
    exec("INSERT INTO counter (id, value) VALUES (1, 0)");
    constexpr int kThreads = 8, kIncrements = 50;
    std::atomic<int> failures = 0;
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int i = 0; i < kIncrements; ++i) {
                try {
                    db_->transaction([](sql::Connection& c) {
                        auto read = c.prepare("SELECT value FROM counter WHERE id = ?1 FOR UPDATE");
                        read.bind(1, I(1));
                        if (!read.step()) throw std::logic_error("no counter row");
                        const I value = read.integer(0);
                        c.prepare("UPDATE counter SET value = ?1 WHERE id = ?2")
                            .bind(1, value + 1)
                            .bind(2, I(1))
                            .run();
                    });
                } catch (const std::exception& e) {
                    if (failures++ == 0) ADD_FAILURE() << e.what();
                }
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures, 0);
    db_->with([&](sql::Connection& c) {
        auto stmt = c.prepare("SELECT value FROM counter WHERE id = 1");
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.integer(0), kThreads * kIncrements);
    });
}

// Concurrent transactions of which some throw: each that returned is kept whole, each
// that threw left nothing, whether or not an engine commits them together.
TEST_P(SqlEngineContract, ConcurrentTransactionsThatThrowLeaveNothingAndSpareTheOthers) {
    constexpr int kThreads = 8, kEach = 40;
    std::atomic<int> thrown = 0, wrong = 0;
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            for (int i = 0; i < kEach; ++i) {
                const I id = t * 1000 + i;
                const bool fail = i % 3 == 0;
                try {
                    db_->transaction([&](sql::Connection& c) {
                        c.prepare("INSERT INTO t (id, n) VALUES (?1, ?2)").bind(1, id).bind(2, I(t)).run();
                        c.prepare("INSERT INTO t (id, n) VALUES (?1, ?2)").bind(1, id + 500).bind(2, I(t)).run();
                        if (fail) throw std::runtime_error("refused");
                    });
                    if (fail) ++wrong;
                } catch (const std::runtime_error& e) {
                    if (!fail || std::string(e.what()) != "refused") ++wrong;
                    ++thrown;
                }
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(wrong, 0) << "each transaction's own outcome reached its own thread";
    const int kept = kThreads * (kEach - (kEach + 2) / 3);
    EXPECT_EQ(thrown, kThreads * kEach - kept);
    EXPECT_EQ(count("1 = 1"), 2 * kept) << "both rows of every kept transaction, none of the others";
    EXPECT_EQ(count("id % 1000 < 500 AND (id % 1000) % 3 = 0"), 0);
    EXPECT_EQ(count("id % 1000 >= 500 AND (id % 1000 - 500) % 3 = 0"), 0);
}

TEST_P(SqlEngineContract, PingsAndNamesItsEngine) {
    EXPECT_TRUE(db_->ping());
    EXPECT_EQ(db_->engine(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Engines, SqlEngineContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------------------
// Schema version 7 (who took part in a direct chat) over chats made before it, and the
// chat store's contacts and message requests on top: the same answers from both engines.

// A schema brought up version by version, with rows put in between.
class SchemaUpgrade : public SqlEngineContract {
protected:
    // Applies schema version `version` as the engine's migrate() would.
    void apply(std::size_t version) {
        const auto& migration = sql::schema_migrations().at(version - 1);
        exec(GetParam() == "postgresql" ? postgres::postgres_sql(migration).c_str() : migration.sqlite);
    }
};

class ContactsSchema : public SchemaUpgrade {};

TEST_P(ContactsSchema, ChatsFromBeforeCountWhoHadSentAMessageAndReplyingOrAcceptingMakesContacts) {
    const std::size_t latest = sql::schema_migrations().size();
    ASSERT_GE(latest, 7u) << "this test upgrades from version 6";
    for (std::size_t v = 1; v <= 6; ++v) apply(v);
    // u1 and u2 wrote to each other; only u1 wrote to u3; nobody wrote in u1's chat with
    // u4; u2 and u3 talk in a group.
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1), "
         "('u3', '+3', 1), ('u4', '+4', 1)");
    exec("INSERT INTO chats (id, type, created_at, active_at, last_seq, direct_key) VALUES "
         "('c12', 'direct', 1, 1, 2, 'u1:u2'), ('c13', 'direct', 1, 1, 1, 'u1:u3'), "
         "('c14', 'direct', 1, 1, 0, 'u1:u4'), ('g23', 'group', 1, 1, 2, NULL)");
    exec("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at) VALUES "
         "('c12', 'u1', 'member', 1, 1), ('c12', 'u2', 'member', 1, 1), ('c13', 'u1', 'member', 1, 1), "
         "('c13', 'u3', 'member', 1, 1), ('c14', 'u1', 'member', 1, 1), ('c14', 'u4', 'member', 1, 1), "
         "('g23', 'u2', 'admin', 1, 1), ('g23', 'u3', 'member', 1, 1)");
    exec("INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, created_at) VALUES "
         "('m1', 'c12', 1, 'u1', 'a', 'text', 'hi', 1), ('m2', 'c12', 2, 'u2', 'b', 'text', 'hi', 1), "
         "('m3', 'c13', 1, 'u1', 'c', 'text', 'hi', 1), ('m4', 'g23', 1, 'u2', 'd', 'text', 'hi', 1), "
         "('m5', 'g23', 2, 'u3', 'e', 'text', 'hi', 1)");
    for (std::size_t v = 7; v <= latest; ++v) apply(v);

    sql::SqlChatStore chats(*db_);
    EXPECT_EQ(chats.contacts_of("u1"), std::vector<std::string>{"u2"});
    EXPECT_TRUE(chats.are_contacts("u2", "u1"));
    EXPECT_FALSE(chats.are_contacts("u1", "u3"));
    EXPECT_FALSE(chats.are_contacts("u2", "u3")) << "a group makes no contacts";
    EXPECT_TRUE(chats.contacts_of("u3").empty());
    const auto c13 = chats.find_chat("c13");
    EXPECT_FALSE(is_request_for(*c13, "u1"));
    EXPECT_TRUE(is_request_for(*c13, "u3"));
    const auto c14 = chats.find_chat("c14");
    EXPECT_TRUE(is_request_for(*c14, "u1") && is_request_for(*c14, "u4")) << "nobody wrote: a request for both";
    EXPECT_FALSE(is_request_for(*chats.find_chat("g23"), "u3"));
    EXPECT_TRUE(chats.view_chat(*c13, "u3").request);

    // u3 replies: the request ends with the message, and the two are contacts.
    Message reply;  // by field: Message grows
    reply.id = "m6";
    reply.chat_id = "c13";
    reply.sender_id = "u3";
    reply.client_id = "f";
    reply.text = "hello";
    reply.created_at = 2;
    auto appended = chats.append_message(reply, [](const Chat&, const std::optional<Message>&) -> Status { return Ok{}; });
    ASSERT_TRUE(appended);
    ASSERT_TRUE(appended->request_ended);
    EXPECT_FALSE(is_request_for(*appended->request_ended, "u3"));
    EXPECT_TRUE(chats.are_contacts("u1", "u3"));
    EXPECT_FALSE(chats.append_message(reply, [](const Chat&, const std::optional<Message>&) -> Status { return Ok{}; })
                     ->request_ended) << "a retry ends nothing";

    // Both accept the chat nobody wrote in.
    for (const char* user : {"u4", "u1"}) {
        auto accepted = chats.modify_chat("c14", [&](Chat& c) -> Status {
            take_part(c, user);
            return Ok{};
        });
        ASSERT_TRUE(accepted);
    }
    EXPECT_TRUE(chats.are_contacts("u4", "u1"));
    auto contacts = chats.contacts_of("u1");
    std::sort(contacts.begin(), contacts.end());
    EXPECT_EQ(contacts, (std::vector<std::string>{"u2", "u3", "u4"}));

    // A new direct chat is a request for the other one only.
    auto [fresh, created] = chats.find_or_create_direct(new_direct_chat("c23", "u2", "u3", 3));
    ASSERT_TRUE(created);
    EXPECT_TRUE(is_request_for(*chats.find_chat(fresh.id), "u3"));
    EXPECT_FALSE(is_request_for(*chats.find_chat(fresh.id), "u2"));
    EXPECT_FALSE(chats.are_contacts("u2", "u3"));
}

INSTANTIATE_TEST_SUITE_P(Engines, ContactsSchema, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------------------
// Schema version 12 (full-text search) over messages stored before it, and the index
// following every later change to the messages table by itself: the same answers from
// both engines.

class SearchSchema : public SchemaUpgrade {
protected:
    // The ids of what u1 finds for `words`, newest first.
    std::vector<std::string> found(sql::SqlChatStore& chats, const std::string& words) {
        auto page = chats.search_messages({"u1", words, std::nullopt, std::nullopt, 50});
        EXPECT_TRUE(page) << words;
        std::vector<std::string> ids;
        if (page)
            for (const auto& m : page->items) ids.push_back(m.id);
        return ids;
    }
};

TEST_P(SearchSchema, MessagesFromBeforeAreIndexedAndTheIndexFollowsEditsDeletesAndNewMessages) {
    using Ids = std::vector<std::string>;
    const std::size_t latest = sql::schema_migrations().size();
    ASSERT_GE(latest, 12u) << "this test upgrades from version 11";
    for (std::size_t v = 1; v <= 11; ++v) apply(v);
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1)");
    exec("INSERT INTO chats (id, type, created_at, active_at, last_seq, direct_key) VALUES "
         "('c12', 'direct', 1, 1, 3, 'u1:u2')");
    exec("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at) VALUES "
         "('c12', 'u1', 'member', 1, 1), ('c12', 'u2', 'member', 1, 1)");
    exec("INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, created_at) VALUES "
         "('m1', 'c12', 1, 'u1', 'a', 'text', 'Café au lait', 1), "
         "('m2', 'c12', 2, 'u2', 'b', 'text', 'category theory', 2), "
         "('m3', 'c12', 3, 'u2', 'c', 'text', 'the CAT sat', 3)");
    for (std::size_t v = 12; v <= latest; ++v) apply(v);

    sql::SqlChatStore chats(*db_);
    EXPECT_EQ(found(chats, "cafe"), Ids{"m1"}) << "indexed by the migration, accents aside";
    EXPECT_EQ(found(chats, "cat"), Ids{"m3"}) << "whole words, case aside";
    EXPECT_EQ(found(chats, "theory CATEGORY"), Ids{"m2"});

    // An edit is an UPDATE of the text: nothing else to do for the index.
    exec("UPDATE messages SET text = 'the dog sat' WHERE id = 'm3'");
    EXPECT_EQ(found(chats, "cat"), Ids{});
    EXPECT_EQ(found(chats, "dog"), Ids{"m3"});
    // Deleted for everyone: the text is erased, and the words with it.
    ASSERT_TRUE(chats.delete_for_everyone("c12", "m1", [](const Message&) -> Status { return Ok{}; }));
    EXPECT_EQ(found(chats, "lait"), Ids{});
    exec("UPDATE messages SET deleted = 0 WHERE id = 'm1'");
    EXPECT_EQ(found(chats, "lait"), Ids{}) << "not in the index any more";
    // A row removed (as an expiry may do).
    exec("DELETE FROM messages WHERE id = 'm3'");
    EXPECT_EQ(found(chats, "dog"), Ids{});
    // A new message is indexed as it is appended, newest first among the others.
    Message fresh;
    fresh.id = "m4";
    fresh.chat_id = "c12";
    fresh.sender_id = "u1";
    fresh.client_id = "d";
    fresh.text = "Crème brûlée, the theory";
    fresh.created_at = 4;
    ASSERT_TRUE(chats.append_message(fresh, [](const Chat&, const std::optional<Message>&) -> Status { return Ok{}; }));
    EXPECT_EQ(found(chats, "creme"), Ids{"m4"});
    EXPECT_EQ(found(chats, "theory"), (Ids{"m4", "m2"}));
}

TEST_P(SearchSchema, FindsOldMatchesPastManyNewerMessagesAndPagesThroughThemAll) {
    using Ids = std::vector<std::string>;
    for (std::size_t v = 1; v <= sql::schema_migrations().size(); ++v) apply(v);
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1), ('u3', '+3', 1)");
    exec("INSERT INTO chats (id, type, created_at, active_at, last_seq, direct_key) VALUES "
         "('c12', 'direct', 1, 1, 2500, 'u1:u2'), ('c23', 'direct', 1, 1, 1, 'u2:u3')");
    exec("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at) VALUES "
         "('c12', 'u1', 'member', 1, 1), ('c12', 'u2', 'member', 1, 1), ('c23', 'u2', 'member', 1, 1), "
         "('c23', 'u3', 'member', 1, 1)");
    // 2,500 messages, ids in the order sent (m0001...): one with a rare word first and
    // last, every tenth with a common one; the rare word in another pair's chat too.
    std::string rows;
    for (int k = 1; k <= 2500; ++k) {
        const auto id = std::to_string(10000 + k).substr(1);
        const std::string text = (k == 1 || k == 2500 ? "needle " : "") + std::string(k % 10 ? "" : "tenth ") + "filler";
        rows += (rows.empty() ? "" : ", ") + ("('m" + id + "', 'c12', " + std::to_string(k) + ", 'u2', 'k" + id +
                                             "', 'text', '" + text + "', " + std::to_string(k) + ")");
    }
    exec(("INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, created_at) VALUES " + rows +
          ", ('n0001', 'c23', 1, 'u3', 'x', 'text', 'needle', 2501)").c_str());

    sql::SqlChatStore chats(*db_);
    EXPECT_EQ(found(chats, "needle"), (Ids{"m2500", "m0001"})) << "past the newest 2,000, not in another's chat";
    // Every tenth, 40 a page: all 250, newest first, once each.
    Ids all;
    std::optional<std::string> before;
    for (int page = 0; page < 10; ++page) {
        auto found = chats.search_messages({"u1", "tenth", std::nullopt, before, 40});
        ASSERT_TRUE(found);
        for (const auto& m : found->items) all.push_back(m.id);
        before = found->next_before;
        if (!before) break;
    }
    ASSERT_EQ(all.size(), 250u);
    for (std::size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i], "m" + std::to_string(12500 - 10 * i).substr(1)) << i;
    // The same in one chat.
    auto in_chat = chats.search_messages({"u1", "needle", std::string("c12"), std::nullopt, 1});
    ASSERT_TRUE(in_chat);
    ASSERT_EQ(in_chat->items.size(), 1u);
    auto next = chats.search_messages({"u1", "needle", std::string("c12"), in_chat->next_before, 1});
    ASSERT_TRUE(next);
    ASSERT_EQ(next->items.size(), 1u);
    EXPECT_EQ(next->items[0].id, "m0001");
    EXPECT_FALSE(next->next_before);
}

INSTANTIATE_TEST_SUITE_P(Engines, SearchSchema, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// Schema versions 18 and 19: privacy settings, reports and blocks, under their stores, on both engines.

class SafetyStores : public ContactsSchema {
protected:
    void SetUp() override {
        ContactsSchema::SetUp();
        if (IsSkipped()) return;
        for (std::size_t v = 1; v <= sql::schema_migrations().size(); ++v) apply(v);
    }
};

TEST_P(SafetyStores, AReportKeepsItsMessagesAsTheyWereAndTheirMediaFromTheSweep) {
    // u1 reports u2. They share a direct chat; u2 and u3 a group u1 is not in; u1 joined
    // group gj at seq 2.
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1), ('u3', '+3', 1)");
    exec("INSERT INTO chats (id, type, created_at, active_at, last_seq, direct_key) VALUES "
         "('c12', 'direct', 1, 1, 2, 'u1:u2'), ('g23', 'group', 1, 1, 1, NULL), ('gj', 'group', 1, 1, 2, NULL)");
    exec("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at) VALUES "
         "('c12', 'u1', 'member', 1, 1), ('c12', 'u2', 'member', 1, 1), ('g23', 'u2', 'admin', 1, 1), "
         "('g23', 'u3', 'member', 1, 1), ('gj', 'u2', 'admin', 1, 1), ('gj', 'u1', 'member', 2, 2)");
    exec("INSERT INTO media (id, owner_id, kind, mime, size, sha256, created_at) VALUES "
         "('md1', 'u2', 'image', 'image/gif', 14, 'x', 1)");
    exec("INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, media_id, created_at) VALUES "
         "('m1', 'c12', 1, 'u2', 'a', 'text', 'you will regret it', NULL, 10), "
         "('m2', 'c12', 2, 'u2', 'b', 'image', 'look', 'md1', 11), "
         "('m3', 'g23', 1, 'u2', 'c', 'text', 'not for u1', NULL, 12), "
         "('m4', 'gj', 1, 'u2', 'd', 'text', 'before u1 came', NULL, 13), "
         "('m5', 'gj', 2, 'u2', 'e', 'text', 'after u1 came', NULL, 14)");

    sql::SqlReportStore reports(*db_);
    const Report report{"r1", "u1", "u2", ReportReason::abuse, "threats", 100, {}, {}};
    for (const auto& ids : std::vector<std::vector<std::string>>{{"m3"}, {"m4"}, {"nope"}, {"m1", "m3"}}) {
        EXPECT_FALSE(reports.file(report, ids)) << ids.back() << ": not a message u1 can see";
        EXPECT_FALSE(reports.find("r1")) << "a refused report leaves nothing";
    }
    ASSERT_TRUE(reports.file(report, {"m5", "m1", "m2"}));
    ASSERT_TRUE(reports.file({"r2", "u1", "u2", ReportReason::spam, "", 101, {}, {}}, {}));

    // u2 deletes both direct messages for everyone: the copies stay as they were, and the
    // picture is kept from the sweep of unused media.
    sql::SqlChatStore chats(*db_);
    for (const char* id : {"m1", "m2"})
        ASSERT_TRUE(chats.delete_for_everyone("c12", id, [](const Message&) -> Status { return Ok{}; }));
    EXPECT_EQ(chats.find_message("c12", "m2")->media_id, std::nullopt);
    const auto filed = reports.find("r1");
    ASSERT_TRUE(filed);
    EXPECT_EQ(filed->reporter_id, "u1");
    EXPECT_EQ(filed->reported_id, "u2");
    EXPECT_EQ(filed->reason, ReportReason::abuse);
    EXPECT_EQ(filed->note, "threats");
    EXPECT_EQ(filed->created_at, 100);
    ASSERT_EQ(filed->messages.size(), 3u);
    const auto& m1 = filed->messages[0];
    EXPECT_EQ(std::tie(m1.message_id, m1.chat_id, m1.seq, m1.sender_id, m1.text, m1.created_at),
              std::make_tuple(std::string("m1"), std::string("c12"), I{1}, std::string("u2"),
                              std::string("you will regret it"), I{10}));
    EXPECT_EQ(m1.type, MessageType::text);
    EXPECT_EQ(m1.media_id, std::nullopt);
    EXPECT_EQ(filed->messages[1].type, MessageType::image);
    EXPECT_EQ(filed->messages[1].media_id, "md1");
    EXPECT_EQ(filed->messages[1].text, "look");
    EXPECT_EQ(filed->messages[2].message_id, "m5");
    EXPECT_TRUE(reports.find("r2")->messages.empty());
    sql::SqlMediaCatalog media(*db_);
    EXPECT_EQ(media.unused_before(1'000'000, 10), std::vector<std::string>{});
    EXPECT_EQ(media.remove_unused({"md1"}), std::vector<std::string>{});
    EXPECT_TRUE(media.find("md1"));
}

TEST_P(SafetyStores, PrivacySettingsAreTheDefaultsUntilChangedAndChangesToDifferentSettingsAllHold) {
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1), ('u3', '+3', 1)");
    sql::SqlPrivacyStore privacy(*db_);
    EXPECT_EQ(privacy.find("u1"), PrivacySettings{});
    PrivacyChange hide;
    hide.last_seen = Audience::nobody;
    const auto first = privacy.update("u1", hide);
    EXPECT_EQ(first.before, PrivacySettings{});
    PrivacySettings expected;
    expected.last_seen = Audience::nobody;
    EXPECT_EQ(first.after, expected);
    PrivacyChange quiet;
    quiet.read_receipts = false;
    quiet.groups_add = Audience::contacts;
    EXPECT_EQ(privacy.update("u1", quiet).before, expected);
    expected.read_receipts = false;
    expected.groups_add = Audience::contacts;
    EXPECT_EQ(privacy.find("u1"), expected);
    const auto many = privacy.find_many({"u2", "u1", "u2"});
    EXPECT_EQ(many.size(), 2u);
    EXPECT_EQ(many.at("u1"), expected);
    EXPECT_EQ(many.at("u2"), PrivacySettings{});

    // Two first changes at once, each of another setting, from two threads: both hold.
    PrivacyChange photo;
    photo.photo = Audience::contacts;
    PrivacyChange about;
    about.about = Audience::nobody;
    std::thread other([&] { privacy.update("u3", photo); });
    privacy.update("u3", about);
    other.join();
    const auto both = privacy.find("u3");
    EXPECT_EQ(both.photo, Audience::contacts);
    EXPECT_EQ(both.about, Audience::nobody);
}

TEST_P(SafetyStores, ABlockHidesWhatTheBlockedSendsEndsContactsAndKeepsTheFrozenView) {
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1)");
    exec("INSERT INTO chats (id, type, created_at, active_at, last_seq, direct_key) VALUES "
         "('c12', 'direct', 1, 1, 0, 'u1:u2')");
    exec("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at) VALUES "
         "('c12', 'u1', 'member', 1, 1), ('c12', 'u2', 'member', 1, 1)");
    sql::SqlChatStore chats(*db_);
    sql::SqlBlockStore blocks(*db_);
    EXPECT_TRUE(chats.are_contacts("u1", "u2"));

    const FrozenProfile seen{std::string("img"), "Before", I{42}};
    EXPECT_TRUE(blocks.block("u1", "u2", seen, 100));
    EXPECT_FALSE(blocks.block("u1", "u2", FrozenProfile{}, 101)) << "the first view is kept";
    EXPECT_EQ(blocks.blockers_of("u2", {"u1", "u2", "nobody"}), (std::unordered_map<std::string, FrozenProfile>{{"u1", seen}}));
    EXPECT_TRUE(blocks.blockers_of("u1", {"u2"}).empty()) << "u2 blocks nobody";
    EXPECT_EQ(blocks.blocked_by("u1"), std::vector<std::string>{"u2"});
    EXPECT_FALSE(chats.are_contacts("u1", "u2"));
    EXPECT_FALSE(chats.are_contacts("u2", "u1"));
    EXPECT_TRUE(chats.contacts_of("u2").empty());

    const auto chat = chats.find_chat("c12");
    ASSERT_TRUE(chat);
    EXPECT_TRUE(chat->participant("u1")->blocks_other);
    EXPECT_FALSE(chat->participant("u2")->blocks_other);
    Message from_blocked;
    from_blocked.id = "m1";
    from_blocked.chat_id = "c12";
    from_blocked.sender_id = "u2";
    from_blocked.client_id = "a";
    from_blocked.text = "let me in";
    from_blocked.created_at = 2;
    const auto appended = chats.append_message(from_blocked, [](const Chat&, const std::optional<Message>&) -> Status { return Ok{}; });
    ASSERT_TRUE(appended);
    EXPECT_EQ(appended->participant_ids, std::vector<std::string>{"u2"}) << "only the sender hears of it";
    EXPECT_EQ(chats.history("c12", "u2", 1, {std::nullopt, std::nullopt, 50}).size(), 1u);
    EXPECT_TRUE(chats.history("c12", "u1", 1, {std::nullopt, std::nullopt, 50}).empty());
    EXPECT_EQ(chats.view_chat(*chat, "u1").unread_count, 0);

    EXPECT_TRUE(blocks.unblock("u1", "u2"));
    EXPECT_FALSE(blocks.unblock("u1", "u2"));
    EXPECT_TRUE(chats.are_contacts("u1", "u2"));
    EXPECT_TRUE(chats.history("c12", "u1", 1, {std::nullopt, std::nullopt, 50}).empty()) << "nothing delivered after";
}

INSTANTIATE_TEST_SUITE_P(Engines, SafetyStores, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// Schema version 22: the operator's stores (flowctl): bans against sign-in, counts, the
// review of reports, and purged media, on both engines.

class OperatorStores : public SafetyStores {
protected:
    // Signs `phone` in as a new device `session_id` (the user `user_id` when new).
    Result<SignedIn> enter(sql::SqlSignInStore& store, const std::string& phone, const std::string& user_id,
                           const std::string& session_id) {
        const OtpChallenge challenge{"ch-" + session_id, phone, "hash", 10, 1'000'000, 0};
        EXPECT_TRUE(store.start_challenge(challenge, "127.0.0.1", {1, 1}, [](const SendHistory&) -> Status {
            return Ok{};
        }));
        return store.complete_sign_in(challenge, user_id, Session{session_id, "", "phone", 20, Platform::ios, 20},
                                      "token-" + session_id, 20);
    }
};

TEST_P(OperatorStores, ABanEndsEveryDeviceAndRefusesSignInUntilLifted) {
    sql::SqlSignInStore store(*db_);
    sql::SqlAdminStore admin(*db_);
    ASSERT_TRUE(enter(store, "+1", "u1", "s1"));
    ASSERT_TRUE(enter(store, "+1", "u-unused", "s2"));
    ASSERT_TRUE(enter(store, "+2", "u2", "s3"));
    const auto found = admin.find_by_phone("+1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user.id, "u1");
    EXPECT_EQ(found->devices, 2);
    EXPECT_EQ(found->banned_at, std::nullopt);
    EXPECT_EQ(admin.find_user("u2")->devices, 1);
    EXPECT_FALSE(admin.find_user("nobody"));
    EXPECT_FALSE(admin.find_by_phone("+3"));

    auto ended = admin.ban("u1", 500);
    ASSERT_TRUE(ended);
    std::sort(ended->begin(), ended->end());
    EXPECT_EQ(*ended, (std::vector<std::string>{"s1", "s2"}));
    EXPECT_FALSE(store.find_session("token-s1"));
    EXPECT_TRUE(store.find_session("token-s3")) << "another user's device stays";
    EXPECT_TRUE(store.banned("+1"));
    EXPECT_FALSE(store.banned("+2"));
    EXPECT_FALSE(store.banned("+3"));
    const auto refused = enter(store, "+1", "u-unused", "s4");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "banned");
    EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
    EXPECT_FALSE(store.find_session("token-s4"));
    EXPECT_EQ(admin.ban("u1", 900), std::vector<std::string>{}) << "banned again: nothing more to end";
    EXPECT_EQ(admin.find_user("u1")->banned_at, 500) << "the first time is kept";
    EXPECT_EQ(admin.find_user("u1")->devices, 0);
    EXPECT_FALSE(admin.ban("nobody", 1));

    const auto counts = admin.counts();
    EXPECT_EQ(std::tie(counts.users, counts.banned_users, counts.deleted_users, counts.devices),
              std::make_tuple(I{2}, I{1}, I{0}, I{1}));

    EXPECT_TRUE(admin.unban("u1"));
    EXPECT_FALSE(admin.unban("nobody"));
    EXPECT_FALSE(store.banned("+1"));
    const auto back = enter(store, "+1", "u-unused", "s5");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->user.id, "u1");
    EXPECT_FALSE(back->new_user);
    EXPECT_EQ(admin.find_user("u1")->banned_at, std::nullopt);
}

TEST_P(OperatorStores, CountsReportsToReviewAndPurgedMedia) {
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1), ('u3', '~u3', 1)");
    exec("INSERT INTO chats (id, type, created_at, active_at, last_seq, direct_key) VALUES "
         "('c12', 'direct', 1, 1, 2, 'u1:u2'), ('g', 'group', 1, 1, 3, NULL)");
    exec("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at) VALUES "
         "('c12', 'u1', 'member', 1, 1), ('c12', 'u2', 'member', 1, 1)");
    exec("INSERT INTO media (id, owner_id, kind, mime, size, sha256, created_at) VALUES "
         "('md1', 'u2', 'image', 'image/gif', 14, 'x', 1), ('md2', 'u2', 'image', 'image/gif', 30, 'y', 1)");
    exec("INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, media_id, created_at) VALUES "
         "('m1', 'c12', 1, 'u2', 'a', 'text', 'you will regret it', NULL, 10), "
         "('m2', 'c12', 2, 'u2', 'b', 'image', 'look', 'md1', 11)");
    sql::SqlReportStore reports(*db_);
    ASSERT_TRUE(reports.file({"r1", "u1", "u2", ReportReason::abuse, "threats", 100, {}, {}}, {"m1"}));
    ASSERT_TRUE(reports.file({"r2", "u1", "u2", ReportReason::spam, "", 200, {}, {}}, {}));
    ASSERT_TRUE(reports.file({"r3", "u2", "u1", ReportReason::other, "", 150, {}, {}}, {}));

    sql::SqlAdminStore admin(*db_);
    auto counts = admin.counts();
    EXPECT_EQ(std::tie(counts.users, counts.deleted_users, counts.chats, counts.messages, counts.media_objects,
                       counts.media_bytes, counts.reports, counts.open_reports),
              std::make_tuple(I{2}, I{1}, I{2}, I{5}, I{2}, I{44}, I{3}, I{3}));

    auto ids = [](const std::vector<Report>& list) {
        std::vector<std::string> out;
        for (const auto& r : list) out.push_back(r.id);
        return out;
    };
    EXPECT_EQ(ids(reports.list(false, 10)), (std::vector<std::string>{"r2", "r3", "r1"})) << "the newest first";
    EXPECT_EQ(ids(reports.list(true, 2)), (std::vector<std::string>{"r2", "r3"}));
    EXPECT_TRUE(reports.resolve("r2", 300));
    EXPECT_TRUE(reports.resolve("r2", 400));
    EXPECT_FALSE(reports.resolve("nope", 300));
    EXPECT_EQ(reports.find("r2")->resolved_at, 300) << "the first time is kept";
    EXPECT_EQ(reports.find("r1")->resolved_at, std::nullopt);
    EXPECT_EQ(ids(reports.list(true, 10)), (std::vector<std::string>{"r3", "r1"}));
    const auto listed = reports.list(false, 10);
    ASSERT_EQ(listed.back().messages.size(), 1u);
    EXPECT_EQ(listed.back().messages[0].text, "you will regret it");
    EXPECT_EQ(listed.front().resolved_at, 300);
    EXPECT_EQ(admin.counts().open_reports, 2);

    // A purged media object goes from the catalog whatever uses it; its message stays,
    // with its media id and no media.
    sql::SqlMediaCatalog media(*db_);
    EXPECT_TRUE(media.remove("md1"));
    EXPECT_FALSE(media.remove("md1"));
    EXPECT_FALSE(media.find("md1"));
    sql::SqlChatStore chats(*db_);
    const auto message = chats.find_message("c12", "m2");
    ASSERT_TRUE(message);
    EXPECT_EQ(message->media_id, "md1");
    EXPECT_FALSE(message->media);
    counts = admin.counts();
    EXPECT_EQ(std::tie(counts.media_objects, counts.media_bytes), std::make_tuple(I{1}, I{30}));
}

INSTANTIATE_TEST_SUITE_P(Engines, OperatorStores, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------------------
// Disappearing messages (schema version 19): the setting with its system message, reads
// that leave out what expired by the store's clock, and the sweep's claim: sweeps running
// at once erase each expired message once between them.

class DisappearingStores : public SafetyStores {};

// A clock the test moves.
class TestClock final : public Clock {
public:
    TimeMs now_ms() const override { return now.load(); }
    std::atomic<TimeMs> now = 0;
};

TEST_P(DisappearingStores, LaterMessagesExpireOutOfReadsAndConcurrentSweepsEraseEachOnce) {
    exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+1', 1), ('u2', '+2', 1)");
    exec("INSERT INTO chats (id, type, created_at, active_at, last_seq, direct_key) VALUES "
         "('c12', 'direct', 1, 1, 1, 'u1:u2')");
    exec("INSERT INTO participants (chat_id, user_id, role, joined_seq, joined_at) VALUES "
         "('c12', 'u1', 'member', 1, 1), ('c12', 'u2', 'member', 1, 1)");
    exec("INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, created_at) VALUES "
         "('m0', 'c12', 1, 'u1', 'a', 'text', 'from before', 5)");
    TestClock clock;
    clock.now = 10;
    sql::SqlChatStore chats(*db_, clock);
    const auto allow = [](const Chat&) -> Status { return Ok{}; };
    const auto allow_append = [](const Chat&, const std::optional<Message>&) -> Status { return Ok{}; };

    Message notice;  // by field: Message grows
    notice.id = "n1";
    notice.chat_id = "c12";
    notice.sender_id = "u1";
    notice.client_id = "n1";
    notice.type = MessageType::system;
    notice.text = disappearing_notice(86400);
    notice.created_at = 10;
    auto set = chats.set_disappearing("c12", 86400, 1000, notice, allow);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->chat.disappearing_seconds, 86400);
    ASSERT_TRUE(set->notice);
    EXPECT_EQ(set->notice->message.seq, 2);
    EXPECT_FALSE(set->notice->message.expires_at) << "the record of the change stays";
    EXPECT_EQ(chats.find_chat("c12")->disappearing_ms, 1000);
    EXPECT_FALSE(chats.set_disappearing("c12", 86400, 1000, notice, allow)->notice) << "the same again: nothing";

    constexpr int kMessages = 40;
    for (int i = 0; i < kMessages; ++i) {
        Message m;
        m.id = "m" + std::to_string(i + 1);
        m.chat_id = "c12";
        m.sender_id = i % 2 ? "u1" : "u2";
        m.client_id = m.id;
        m.text = "vanishing";
        m.created_at = 10 + i;
        auto appended = chats.append_message(m, allow_append);
        ASSERT_TRUE(appended);
        EXPECT_EQ(appended->message.expires_at, std::optional<TimeMs>(1010 + i));
    }
    exec("INSERT INTO media (id, owner_id, kind, mime, size, sha256, created_at) VALUES "
         "('md1', 'u2', 'image', 'image/gif', 14, 'x', 1)");
    Message photo;
    photo.id = "p1";
    photo.chat_id = "c12";
    photo.sender_id = "u2";
    photo.client_id = "p1";
    photo.type = MessageType::image;
    photo.media_id = "md1";
    photo.created_at = 10;
    ASSERT_TRUE(chats.append_message(photo, allow_append));
    sql::SqlMediaCatalog catalog(*db_);
    EXPECT_TRUE(catalog.visible_to("md1", "u1", 1009));
    EXPECT_FALSE(catalog.visible_to("md1", "u1", 1010)) << "its message expired";
    EXPECT_TRUE(catalog.visible_to("md1", "u2", 1010)) << "its uploader, until the sweep";
    // Turned off again, a reply that stays, to a message that will not.
    notice.id = notice.client_id = "n2";
    notice.text = disappearing_notice(0);
    ASSERT_TRUE(chats.set_disappearing("c12", 0, 0, notice, allow)->notice);
    Message reply;
    reply.id = reply.client_id = "r1";
    reply.chat_id = "c12";
    reply.sender_id = "u1";
    reply.text = "lasting";
    reply.reply_to = "m1";
    reply.created_at = 10;
    const auto replied = chats.append_message(reply, allow_append);
    ASSERT_TRUE(replied);
    EXPECT_FALSE(replied->message.expires_at);
    ASSERT_TRUE(replied->message.reply_preview);
    EXPECT_EQ(replied->message.reply_preview->text, std::optional<std::string>("vanishing"));
    EXPECT_EQ(chats.history("c12", "u2", 1, {std::nullopt, std::nullopt, 200}).size(), 5u + kMessages);
    EXPECT_EQ(chats.view_chat(*chats.find_chat("c12"), "u2").last_message->id, "r1");
    EXPECT_EQ(chats.view_chat(*chats.find_chat("c12"), "u1").unread_count, kMessages / 2 + 1) << "u2's messages";

    // Expired, not swept yet: out of every read already.
    clock.now = 5000;
    const auto left = chats.history("c12", "u2", 1, {std::nullopt, std::nullopt, 200});
    ASSERT_EQ(left.size(), 4u);
    EXPECT_EQ(left[0].id, "m0");
    EXPECT_EQ(left[1].id, "n1");
    EXPECT_EQ(left[2].id, "n2");
    EXPECT_EQ(left[3].id, "r1");
    ASSERT_TRUE(left[3].reply_preview);
    EXPECT_EQ(left[3].reply_preview->id, "m1");
    EXPECT_EQ(left[3].reply_preview->text, std::nullopt) << "the original disappeared: previewed as deleted";
    EXPECT_EQ(chats.view_chat(*chats.find_chat("c12"), "u2").last_message->id, "r1");
    EXPECT_EQ(chats.view_chat(*chats.find_chat("c12"), "u1").unread_count, 0) << "u2's expired messages count no more";

    // Four sweeps at once, a few rows each: every message erased by exactly one of them.
    constexpr int kSweeps = 4;
    std::vector<std::vector<std::string>> erased(kSweeps);
    std::latch start(kSweeps);
    std::vector<std::thread> threads;
    for (int t = 0; t < kSweeps; ++t)
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            for (int round = 0; round < 100; ++round) {
                const auto batch = chats.expire_messages(5000, 3);
                for (const auto& m : batch) erased[t].push_back(m.message_id);
                if (batch.empty()) break;
            }
        });
    for (auto& thread : threads) thread.join();
    std::vector<std::string> all;
    for (const auto& ids : erased) all.insert(all.end(), ids.begin(), ids.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages) + 1);
    EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a message erased twice";
    EXPECT_TRUE(chats.expire_messages(5000, 100).empty()) << "nothing is left to erase";
    const auto erased_row = chats.find_message("c12", "m1");
    ASSERT_TRUE(erased_row);
    EXPECT_TRUE(erased_row->deleted);
    EXPECT_EQ(erased_row->text, "");
}

INSTANTIATE_TEST_SUITE_P(Engines, DisappearingStores, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------------------
// PostgreSQL's own: the pool, reconnection, its failure modes, migrations.

class PgDatabaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        FLOW_REQUIRE_POSTGRES();
        scratch_ = std::make_unique<PgScratch>(postgres_url());
    }
    std::unique_ptr<postgres::PgDatabase> open(std::size_t connections = 1) {
        return std::make_unique<postgres::PgDatabase>(scratch_->url(), connections);
    }
    static I scalar(sql::Database& db, const char* sql) {
        return db.with([&](sql::Connection& c) {
            auto stmt = c.prepare(sql);
            EXPECT_TRUE(stmt.step()) << sql;
            return stmt.integer(0);
        });
    }

    std::unique_ptr<PgScratch> scratch_;
};

TEST(PgDatabaseStart, ABadUrlFailsNamingTheHostButNotThePassword) {
    try {
        postgres::PgDatabase db(
            "postgresql://flow:s3cret-pw@127.0.0.1:1/flow_test?connect_timeout=2", 1);
        FAIL() << "connected to port 1";
    } catch (const sql::Failure& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
        EXPECT_EQ(message.find("s3cret-pw"), std::string::npos) << message;
    }
    for (const char* url : {"postgresql://flow:s3cret-pw@127.0.0.1:notaport/flow_test",
                            "postgresql://flow:s3cret-pw%zz@127.0.0.1/flow_test",
                            "postgresql://127.0.0.1/flow_test?password=s3cret-pw&bogus=1",
                            "mysql://flow:s3cret-pw@127.0.0.1/flow_test"}) {
        try {
            postgres::PgDatabase db(url, 1);
            ADD_FAILURE() << "accepted " << url;
        } catch (const sql::Failure& e) {
            EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
        }
    }
}

TEST_F(PgDatabaseTest, MoreThreadsThanConnectionsWaitTheirTurn) {
    auto db = open(2);
    std::atomic<int> inside = 0, most = 0, done = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            db->with([&](sql::Connection& c) {
                const int now = ++inside;
                for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
                }
                c.exec("SELECT pg_sleep(0.05)");
                --inside;
            });
            ++done;
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(done, 8);
    EXPECT_LE(most, 2);
}

TEST_F(PgDatabaseTest, ABrokenConnectionIsReconnectedWithItsStatementsPreparedAgain) {
    auto db = open(1);
    const char* sql = "SELECT CAST(?1 AS BIGINT) + 1";
    auto add_one = [&](I value) {
        return db->with([&](sql::Connection& c) {
            auto stmt = c.prepare(sql);
            stmt.bind(1, value);
            EXPECT_TRUE(stmt.step());
            return stmt.integer(0);
        });
    };
    EXPECT_EQ(add_one(1), 2);
    // The server ends the session, as on a restart or a failover.
    EXPECT_THROW(db->with([](sql::Connection& c) {
        c.exec("SELECT pg_terminate_backend(pg_backend_pid())");
    }),
                 sql::Failure);
    EXPECT_EQ(add_one(41), 42);
    EXPECT_TRUE(db->ping());
    // Settings are made again on the new session.
    db->with([](sql::Connection& c) {
        auto stmt = c.prepare(
            "SELECT current_setting('synchronous_commit'), current_setting('client_min_messages')");
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.text(0), "on");
        EXPECT_EQ(stmt.text(1), "warning");
    });
}

// Unlike SQLite, PostgreSQL aborts a whole transaction when one statement fails, and
// answers a later COMMIT with ROLLBACK: the engine reports that instead of pretending.
TEST_F(PgDatabaseTest, ACommitAfterACaughtFailureThrowsAndKeepsNothing) {
    auto db = open(1);
    db->with([](sql::Connection& c) { c.exec("CREATE TABLE k (id BIGINT PRIMARY KEY)"); });
    EXPECT_THROW(db->transaction([](sql::Connection& c) {
        c.exec("INSERT INTO k VALUES (1)");
        try {
            c.exec("INSERT INTO k VALUES (1)");
        } catch (const sql::Failure&) {
        }
    }),
                 sql::Failure);
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM k"), 0);
}

TEST_F(PgDatabaseTest, AConnectionComesBackWithNoTransactionOpen) {
    auto db = open(1);
    db->with([](sql::Connection& c) {
        c.exec("CREATE TABLE k (id BIGINT PRIMARY KEY)");
        c.begin();
        c.exec("INSERT INTO k VALUES (1)");
    });
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM k"), 0);
    db->transaction([](sql::Connection& c) { c.exec("INSERT INTO k VALUES (2)"); });
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM k"), 1);
}

TEST_F(PgDatabaseTest, MisuseFailsClearly) {
    auto db = open(1);
    db->with([](sql::Connection& c) {
        auto stmt = c.prepare("SELECT ?1 || 'x'");
        EXPECT_THROW(stmt.bind(2, "a"), sql::Failure);
        EXPECT_THROW(stmt.bind(1, std::string("a\0b", 3)), sql::Failure);
        EXPECT_THROW(stmt.text(0), sql::Failure);  // no row yet
        stmt.bind(1, "a");
        ASSERT_TRUE(stmt.step());
        EXPECT_EQ(stmt.text(0), "ax");
        EXPECT_THROW(stmt.integer(0), sql::Failure);  // not a number
        EXPECT_THROW(stmt.text(1), sql::Failure);     // no such column
        try {
            c.prepare("SELECT nope FROM nowhere");
            ADD_FAILURE() << "prepared";
        } catch (const sql::Failure& e) {
            EXPECT_NE(std::string(e.what()).find("42P01"), std::string::npos) << e.what();
        }
    });
}

TEST_F(PgDatabaseTest, MigrationsFromFourNodesAtOnceApplyEachVersionOnce) {
    constexpr int kNodes = 4;
    std::vector<std::unique_ptr<postgres::PgDatabase>> nodes;
    for (int i = 0; i < kNodes; ++i) nodes.push_back(open(1));
    std::atomic<int> failures = 0;
    std::latch start(kNodes);
    std::vector<std::thread> threads;
    for (auto& node : nodes)
        threads.emplace_back([&, db = node.get()] {
            start.arrive_and_wait();
            try {
                postgres::migrate(*db);
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << e.what();
            }
        });
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(failures, 0);

    auto& db = *nodes[0];
    const I latest = scalar(db, "SELECT MAX(version) FROM schema_migrations");
    EXPECT_GE(latest, 5);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM schema_migrations"), latest);
    EXPECT_EQ(
        scalar(db,
               "SELECT COUNT(DISTINCT version) FROM schema_migrations WHERE version BETWEEN 1 AND "
               "(SELECT MAX(version) FROM schema_migrations)"),
        latest);
    postgres::migrate(db);  // nothing left to do
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM schema_migrations"), latest);

    // The schema keeps SQLite's constraints: unique phones, cascades, partial indexes.
    db.with([](sql::Connection& c) {
        c.exec("INSERT INTO users (id, phone, created_at) VALUES ('u1', '+15550001', 1)");
        c.prepare(
             "INSERT INTO sessions (id, token_hash, user_id, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, "s1")
            .bind_blob(2, std::string("\0\x01\xfe", 3))
            .bind(3, "u1")
            .bind(4, I(1))
            .run();
        c.exec(
            "INSERT INTO device_cursors (session_id, chat_id, delivered_seq) VALUES ('s1', 'c1', "
            "3)");
        c.exec("DELETE FROM sessions WHERE id = 's1'");
    });
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM device_cursors"), 0);
    EXPECT_THROW(db.with([](sql::Connection& c) {
        c.exec("INSERT INTO users (id, phone, created_at) VALUES ('u2', '+15550001', 1)");
    }),
                 sql::Failure);
    EXPECT_THROW(db.with([](sql::Connection& c) {
        c.exec(
            "INSERT INTO sessions (id, token_hash, user_id, created_at) VALUES ('s2', '\\x00', "
            "'nobody', 1)");
    }),
                 sql::Failure);
    EXPECT_EQ(scalar(db,
                     // The catalog itself, not pg_indexes: its pg_get_indexdef() over every
                     // index trips on tables that tests running beside this one drop.
                     "SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                     "WHERE c.relname = 'call_participants_live' AND i.indpred IS NOT NULL "
                     "AND c.relnamespace = CAST(current_schema() AS regnamespace)"),
              1);
}

TEST_F(PgDatabaseTest, MigrationsRefuseADatabaseNewerThanTheBinary) {
    auto db = open(1);
    postgres::migrate(*db);
    db->with([](sql::Connection& c) {
        c.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
    });
    try {
        postgres::migrate(*db);
        FAIL() << "migrated a newer database";
    } catch (const sql::Failure& e) {
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace flow
