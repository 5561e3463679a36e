#pragma once
// A fresh, empty database for one integration test, of the backend named by OEUVRE_TEST_BACKEND:
//   sqlite (the default): a database file in a new temp folder;
//   postgres: a new database "oeuvre_test_<random hex>" on the server whose maintenance URL is
//             in the file named by OEUVRE_TEST_PG_URL_FILE (pg-test-server.sh writes DIR/url).
// The database is dropped (and its folder removed) when the TestDatabase is destroyed.
// Plain libpq and the filesystem only: no dependency on the store's migrations.

#include <string>

namespace oeuvre::testing {

// The backend the integration tests run against: "sqlite" or "postgres".
// Reads OEUVRE_TEST_BACKEND; anything but "postgres" means "sqlite". Safe for concurrent use.
std::string test_backend();
inline bool test_backend_is_postgres() { return test_backend() == "postgres"; }

// Owns one test database. Move-only; a moved-from TestDatabase owns nothing.
// Thread-safety: external synchronisation needed.
struct TestDatabase {
  // A DATABASE_URL for it (sqlite:///tmp/... or postgres://...). Empty when creation failed (the
  // failure is already reported to GoogleTest).
  std::string url;

  TestDatabase() = default;
  TestDatabase(TestDatabase&& other) noexcept;
  TestDatabase& operator=(TestDatabase&& other) noexcept;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // Drops the database (PostgreSQL: DROP DATABASE ... WITH (FORCE), closing any session still open
  // on it) or removes the SQLite folder. Problems are printed to stderr, never thrown.
  ~TestDatabase();

  // What to remove; set by make_test_database.
  std::string sqlite_dir;          // sqlite: the temp folder holding the file
  std::string postgres_admin_url;  // postgres: the maintenance database to drop it from
  std::string postgres_name;       // postgres: the database's name

 private:
  void drop() noexcept;
};

// Creates a fresh database for the configured backend. On failure, records a GoogleTest failure
// with the reason and returns a TestDatabase with an empty url.
TestDatabase make_test_database();

// Creates a fresh PostgreSQL database on the server reachable at `admin_url` (a maintenance
// database such as postgres://postgres@127.0.0.1:PORT/postgres). Same failure behaviour as
// make_test_database.
TestDatabase make_postgres_test_database(const std::string& admin_url);

// `url` with its database name replaced by `database` (postgres://host:port/OLD?x ->
// .../database?x).
std::string postgres_url_with_database(const std::string& url, const std::string& database);

}  // namespace oeuvre::testing

namespace oeuvre {
// Tests written in namespace oeuvre use these unqualified.
using testing::make_test_database;
using testing::TestDatabase;
}  // namespace oeuvre
