#pragma once
// Schema migrations: migrations/<dialect>/NNNN_name.sql, compiled into the binary, applied in order,
// each in its own transaction, and recorded in schema_migrations. Safe to run from several processes
// at once on PostgreSQL (an advisory lock serialises them) and on SQLite (BEGIN IMMEDIATE).

#include <string>
#include <vector>

#include "store/database.h"

namespace oeuvre::store {

struct Migration {
  int version = 0;
  std::string name;
  std::string_view sql;
};

// The migrations for a dialect, ordered by version.
std::vector<Migration> migrations_for(Dialect dialect);

// Applies every pending migration. Returns the versions applied now.
Result<std::vector<int>> apply_migrations(Database& db);

// The versions recorded in schema_migrations (empty when the table does not exist yet).
Result<std::vector<int>> applied_migrations(Database& db);

}  // namespace oeuvre::store
