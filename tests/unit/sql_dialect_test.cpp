#include <gtest/gtest.h>

#include "storage/postgres/pg_dialect.hpp"
#include "storage/sql/fts5_query.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace flow {
namespace {

TEST(SqlDialect, PostgresNumbersParameters) {
    using postgres::to_postgres_dialect;
    EXPECT_EQ(to_postgres_dialect("SELECT 1"), "SELECT 1");
    EXPECT_EQ(to_postgres_dialect("UPDATE t SET a = ? WHERE b = ? AND c < ?"),
              "UPDATE t SET a = $1 WHERE b = $2 AND c < $3");
    EXPECT_EQ(to_postgres_dialect("WHERE u = ?1 AND (CAST(?2 AS TEXT) IS NULL OR id < ?2) LIMIT ?3"),
              "WHERE u = $1 AND (CAST($2 AS TEXT) IS NULL OR id < $2) LIMIT $3");
    EXPECT_EQ(to_postgres_dialect("a = ?2 AND b = ?"), "a = $2 AND b = $3") << "as SQLite numbers them";
    EXPECT_EQ(to_postgres_dialect("VALUES (?, ?, ?12)"), "VALUES ($1, $2, $12)");
}

TEST(SqlDialect, PostgresSchemaTypes) {
    using postgres::to_postgres_schema;
    EXPECT_EQ(to_postgres_schema("CREATE TABLE t (a INTEGER NOT NULL, b BLOB, c TEXT, d INTEGER)"),
              "CREATE TABLE t (a BIGINT NOT NULL, b BYTEA, c TEXT, d BIGINT)");
    EXPECT_EQ(to_postgres_schema("x_INTEGER INTEGERS BLOBS"), "x_INTEGER INTEGERS BLOBS") << "whole words only";
}

TEST(SqlDialect, SqliteDropsForUpdate) {
    using sqlite::to_sqlite_dialect;
    EXPECT_EQ(to_sqlite_dialect("SELECT id FROM users WHERE id = ? FOR UPDATE"), "SELECT id FROM users WHERE id = ?");
    EXPECT_EQ(to_sqlite_dialect("SELECT a FROM t WHERE b = ?1"), "SELECT a FROM t WHERE b = ?1");
}

TEST(SqlDialect, Fts5SearchesForEveryWordAsPlainText) {
    using sql::fts5_all_words;
    EXPECT_EQ(fts5_all_words("cafe"), R"("cafe")");
    EXPECT_EQ(fts5_all_words("  Café \t au\nlait "), R"("Café" "au" "lait")");
    EXPECT_EQ(fts5_all_words(R"(say "hi")"), R"("say" """hi""")") << "quotes doubled inside a string";
    EXPECT_EQ(fts5_all_words("a OR b NOT c*"), R"("a" "OR" "b" "NOT" "c*")") << "operators are words";
    EXPECT_EQ(fts5_all_words("NEAR(x y) col:z ^w"), R"q("NEAR(x" "y)" "col:z" "^w")q");
    EXPECT_EQ(fts5_all_words(""), "");
    EXPECT_EQ(fts5_all_words(" \t\n"), "");
}

}  // namespace
}  // namespace flow
