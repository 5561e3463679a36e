#include "store/database_url.h"

#include <gtest/gtest.h>

namespace oeuvre::store {
namespace {

TEST(DatabaseUrlTest, SqliteAbsoluteRelativeAndMemory) {
  auto abs = parse_database_url("sqlite:///var/lib/oeuvre/db.sqlite");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->kind, DatabaseUrl::kSqlite);
  EXPECT_EQ(abs->sqlite_path, "/var/lib/oeuvre/db.sqlite");
  auto rel = parse_database_url("sqlite://./var/oeuvre.db");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->sqlite_path, "./var/oeuvre.db");
  auto rel2 = parse_database_url("sqlite://data/x.db");
  ASSERT_TRUE(rel2.ok());
  EXPECT_EQ(rel2->sqlite_path, "data/x.db");
  auto mem = parse_database_url("sqlite::memory:");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->kind, DatabaseUrl::kSqlite);
  EXPECT_EQ(mem->sqlite_path, ":memory:");
  auto upper = parse_database_url("  SQLite:///tmp/a.db\n");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->sqlite_path, "/tmp/a.db");
}

TEST(DatabaseUrlTest, PostgresUrlsPassToLibpqAsIs) {
  for (const char* url : {"postgres://u:p@db.example:5432/oeuvre?sslmode=require",
                          "postgresql://localhost/oeuvre", "postgresql://",
                          "postgres://a:1,b:2/db?target_session_attrs=read-write"}) {
    auto parsed = parse_database_url(url);
    ASSERT_TRUE(parsed.ok()) << url << ": " << parsed.error().message();
    EXPECT_EQ(parsed->kind, DatabaseUrl::kPostgres);
    EXPECT_EQ(parsed->postgres_conninfo, url);
  }
  auto upper = parse_database_url("POSTGRES://h/db");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->postgres_conninfo, "postgres://h/db");
}

TEST(DatabaseUrlTest, BadUrlsAreValidationErrorsOnDatabaseUrl) {
  for (const char* url : {"", "   ", "sqlite://", "sqlite:", "sqlite:relative.db", "mysql://h/db",
                          "/just/a/path", "postgres:h/db", "postgres://h/db?nosuchparam=1",
                          "://nothing"}) {
    auto parsed = parse_database_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kValidation) << url;
    ASSERT_EQ(parsed.error().field_errors().size(), 1u) << url;
    EXPECT_EQ(parsed.error().field_errors()[0].field, "DATABASE_URL");
    EXPECT_NE(parsed.error().message().find("DATABASE_URL"), std::string::npos);
  }
}

TEST(DatabaseUrlTest, ErrorsNeverShowThePassword) {
  auto parsed = parse_database_url("postgres://user:t0ps%ZZecret@host/db");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message().find("t0ps"), std::string::npos) << parsed.error().message();
  auto query = parse_database_url("postgres://host/db?password=t0psecret&bogus=1");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().message().find("t0psecret"), std::string::npos) << query.error().message();
}

TEST(DatabaseUrlTest, RedactHidesPasswordsOnly) {
  EXPECT_EQ(redact_database_url("postgres://app:s3cret@db:5432/oeuvre"),
            "postgres://app:***@db:5432/oeuvre");
  EXPECT_EQ(redact_database_url("postgresql://app:p%40ss@db/x?sslmode=require"),
            "postgresql://app:***@db/x?sslmode=require");
  EXPECT_EQ(redact_database_url("postgres://app@db/x"), "postgres://app@db/x");
  EXPECT_EQ(redact_database_url("postgres://db/x?user=a&password=hush&sslmode=disable"),
            "postgres://db/x?user=a&password=***&sslmode=disable");
  EXPECT_EQ(redact_database_url("host=db password='a b\\'c' user=x"), "host=db password=*** user=x");
  EXPECT_EQ(redact_database_url("host=db PASSWORD=hush"), "host=db PASSWORD=***");
  EXPECT_EQ(redact_database_url("sqlite://./var/oeuvre.db"), "sqlite://./var/oeuvre.db");
  EXPECT_EQ(redact_database_url("redis://:hush@cache:6379/0"), "redis://:***@cache:6379/0");
  // A raw '@' or '/' inside the password still does not leak.
  const std::string odd = redact_database_url("postgres://u:pa@ss/w0rd@db/x");
  EXPECT_EQ(odd.find("w0rd"), std::string::npos) << odd;
  EXPECT_EQ(odd.find("pa@ss"), std::string::npos) << odd;
  EXPECT_EQ(redact_database_url("postgres://u:pa@ss@db/x"), "postgres://u:***@db/x");
}

}  // namespace
}  // namespace oeuvre::store
