#pragma once
// What a backup records about a database and what a restore checks in one: the row count of every
// table of the application's schema, the uploaded files the database refers to, and whether a
// database holds any table at all. One SQL text per backend (catalogue queries differ).
// Thread-safety: functions of a Connection, which is used by one thread at a time.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/database.h"

namespace oeuvre::store {

struct TableRowCount {
  std::string table;
  std::int64_t rows = 0;
};

// Every base table of the schema (SQLite: main, PostgreSQL: public), ordered by name (bytewise).
Result<std::vector<std::string>> list_tables(Connection& conn);

// Those tables with their row counts, read in the caller's transaction (so one snapshot when the
// caller holds one).
Result<std::vector<TableRowCount>> count_table_rows(Connection& conn);

struct StoredFileRef {
  std::string storage_key;
  std::string sha256;  // lowercase hex, as recorded at upload
};

// Every uploaded file the files table refers to, ordered by storage key.
Result<std::vector<StoredFileRef>> list_stored_files(Connection& conn);

// True when the schema holds at least one table (a restore target that is not empty).
Result<bool> schema_has_tables(Connection& conn);

}  // namespace oeuvre::store
