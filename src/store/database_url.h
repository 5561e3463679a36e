#pragma once
// DATABASE_URL parsing: which backend to open, and where. Also a redactor so a URL can be logged
// without its password.

#include <string>
#include <string_view>

#include "core/result.h"

namespace oeuvre::store {

// A parsed DATABASE_URL. Exactly one of the two locations is meaningful, chosen by `kind`.
struct DatabaseUrl {
  enum Kind { kSqlite, kPostgres };
  Kind kind = kSqlite;
  // kSqlite: a file path as written (absolute or relative to the working directory), or ":memory:"
  // for a private in-memory database.
  std::string sqlite_path;
  // kPostgres: the URL itself; libpq parses postgres:// and postgresql:// URIs natively.
  std::string postgres_conninfo;
};

// Accepts:
//   sqlite:///abs/path       -> "/abs/path"
//   sqlite://relative/path   -> "relative/path" (sqlite://./var/oeuvre.db -> "./var/oeuvre.db")
//   sqlite::memory:          -> ":memory:"
//   postgres://..., postgresql://...  -> passed to libpq unchanged, once libpq accepts its syntax
// The scheme is case-insensitive. Anything else is an Error with code kValidation and field
// "DATABASE_URL"; its message never contains the password.
// Thread-safety: a pure function, safe for concurrent use.
Result<DatabaseUrl> parse_database_url(std::string_view url);

// `url` with any password replaced by "***": the one in the authority (scheme://user:PASSWORD@host)
// and any `password=` query or conninfo parameter. Other text is kept, so the result is fit for
// logs. Errs on the side of hiding too much when the URL is malformed. Safe for concurrent use.
std::string redact_database_url(std::string_view url);

// A postgres:// URL with its database name replaced by `database` (postgres://host:port/OLD?x ->
// postgres://host:port/database?x); the name is added when the URL has none. Safe for concurrent use.
std::string postgres_url_with_database(std::string_view url, std::string_view database);

}  // namespace oeuvre::store
