#include "support/test_database.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <utility>

namespace oeuvre::testing {

namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConn = std::unique_ptr<PGconn, ConnDeleter>;
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed_message(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string random_hex(std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device device;
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(device()) & 0xffU;
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xfU]);
  }
  return out;
}

// Runs one statement on the maintenance database; "" on success, else the reason.
std::string run_admin(const std::string& admin_url, const std::string& sql) {
  const char* keywords[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {admin_url.c_str(), "10", nullptr};
  PgConn conn(PQconnectdbParams(keywords, values, 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return "cannot connect to the PostgreSQL test server: " +
           trimmed_message(conn ? PQerrorMessage(conn.get()) : "out of memory");
  }
  PgResult res(PQexec(conn.get(), sql.c_str()));
  if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    return trimmed_message(PQerrorMessage(conn.get()));
  }
  return {};
}

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

std::string test_backend() {
  const char* value = std::getenv("OEUVRE_TEST_BACKEND");
  return value != nullptr && std::string(value) == "postgres" ? "postgres" : "sqlite";
}

std::string postgres_url_with_database(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  const std::size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
  const auto path = url.find_first_of("/?#", authority);
  if (path == std::string::npos) return url + "/" + database;
  if (url[path] != '/') return url.substr(0, path) + "/" + database + url.substr(path);
  const auto path_end = url.find_first_of("?#", path);
  return url.substr(0, path + 1) + database +
         (path_end == std::string::npos ? std::string() : url.substr(path_end));
}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept
    : url(std::move(other.url)),
      sqlite_dir(std::move(other.sqlite_dir)),
      postgres_admin_url(std::move(other.postgres_admin_url)),
      postgres_name(std::move(other.postgres_name)) {
  other.url.clear();
  other.sqlite_dir.clear();
  other.postgres_admin_url.clear();
  other.postgres_name.clear();
}

TestDatabase& TestDatabase::operator=(TestDatabase&& other) noexcept {
  if (this != &other) {
    drop();
    url = std::exchange(other.url, {});
    sqlite_dir = std::exchange(other.sqlite_dir, {});
    postgres_admin_url = std::exchange(other.postgres_admin_url, {});
    postgres_name = std::exchange(other.postgres_name, {});
  }
  return *this;
}

TestDatabase::~TestDatabase() { drop(); }

void TestDatabase::drop() noexcept {
  try {
    if (!postgres_name.empty()) {
      const std::string error = run_admin(
          postgres_admin_url, "DROP DATABASE IF EXISTS \"" + postgres_name + "\" WITH (FORCE)");
      if (!error.empty()) {
        std::fprintf(stderr, "test database %s was not dropped: %s\n", postgres_name.c_str(),
                     error.c_str());
      }
      postgres_name.clear();
    }
    if (!sqlite_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(sqlite_dir, ec);
      if (ec) {
        std::fprintf(stderr, "test folder %s was not removed: %s\n", sqlite_dir.c_str(),
                     ec.message().c_str());
      }
      sqlite_dir.clear();
    }
  } catch (...) {
    std::fprintf(stderr, "test database cleanup failed\n");
  }
  url.clear();
}

TestDatabase make_postgres_test_database(const std::string& admin_url) {
  TestDatabase db;
  const std::string name = "oeuvre_test_" + random_hex(8);
  const std::string error = run_admin(admin_url, "CREATE DATABASE \"" + name + "\"");
  if (!error.empty()) {
    ADD_FAILURE() << "cannot create the PostgreSQL test database: " << error;
    return db;
  }
  db.postgres_admin_url = admin_url;
  db.postgres_name = name;
  db.url = postgres_url_with_database(admin_url, name);
  return db;
}

TestDatabase make_test_database() {
  if (test_backend_is_postgres()) {
    const char* url_file = std::getenv("OEUVRE_TEST_PG_URL_FILE");
#ifdef OEUVRE_TEST_PG_URL_FILE_DEFAULT
    if (url_file == nullptr || *url_file == '\0') url_file = OEUVRE_TEST_PG_URL_FILE_DEFAULT;
#endif
    if (url_file == nullptr || *url_file == '\0') {
      ADD_FAILURE() << "OEUVRE_TEST_BACKEND=postgres needs OEUVRE_TEST_PG_URL_FILE: start a server "
                       "with `scripts/pg-test-server.sh start DIR` and point it at DIR/url";
      return {};
    }
    const std::string admin_url = read_first_line(url_file);
    if (admin_url.empty()) {
      ADD_FAILURE() << "no PostgreSQL URL in " << url_file
                    << " (is the test server running? scripts/pg-test-server.sh start DIR)";
      return {};
    }
    return make_postgres_test_database(admin_url);
  }

  TestDatabase db;
  std::error_code ec;
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "oeuvre-test-XXXXXX").string();
  if (ec || ::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "cannot create a temp folder for the SQLite test database";
    return db;
  }
  db.sqlite_dir = pattern;
  db.url = "sqlite://" + pattern + "/oeuvre.db";  // pattern is absolute: sqlite:///tmp/...
  return db;
}

}  // namespace oeuvre::testing
