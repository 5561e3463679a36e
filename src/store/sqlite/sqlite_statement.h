#pragma once
// The SQLite backend's shared pieces: error mapping, owned statements and binding a store::Value.
// Internal to store/sqlite/.

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "store/database.h"

namespace oeuvre::store::sqlite {

// The store fault an SQLite result code names (its primary code decides): busy and locked kBusy;
// full and out of memory kOutOfSpace; I/O errors and cannot-open kIoError; corrupt and not-a-database
// kCorrupt; read-only kReadOnly; kNone for the others (constraints, misuse, SQL errors).
StoreFault sqlite_fault(int rc);

// Maps an SQLite result code to an Error: kConflict for unique, primary-key and foreign-key
// violations; a store failure (Error::StoreFailure, kUnavailable) when sqlite_fault names one;
// kInternal otherwise. The message is `what`, then SQLite's text.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// Closes a session that could not be opened or set up; a store failure with SQLite's reason.
Error open_failed(sqlite3* db, int rc, const std::string& what);

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Binds `value` to parameter `index` (1-based): NULL, integer, real, bool as 0/1, a date as
// 'YYYY-MM-DD' text (REQUIRES: check_dates passed), text. `lifetime`: SQLITE_TRANSIENT
// (SQLite copies text) unless the caller keeps `value` alive and unbinds before it goes
// (SQLITE_STATIC). SQLite's refusal as sqlite_error(db, rc, "bind").
Status bind_value(sqlite3* db, sqlite3_stmt* stmt, int index, const Value& value,
                  sqlite3_destructor_type lifetime = SQLITE_TRANSIENT);

}  // namespace oeuvre::store::sqlite
