#include "store/sqlite/sqlite_statement.h"

#include <type_traits>

#include "core/time.h"

namespace oeuvre::store::sqlite {

StoreFault sqlite_fault(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StoreFault::kBusy;
    case SQLITE_FULL:
    case SQLITE_NOMEM: return StoreFault::kOutOfSpace;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN: return StoreFault::kIoError;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return StoreFault::kCorrupt;
    case SQLITE_READONLY: return StoreFault::kReadOnly;
    default: return StoreFault::kNone;
  }
}

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    const int extended = db ? sqlite3_extended_errcode(db) : rc;
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY ||
        extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Error::FromStore(ErrorCode::kConflict, message);
    }
    return Error::Internal(message);
  }
  if (const StoreFault fault = sqlite_fault(rc); fault != StoreFault::kNone) {
    return Error::StoreFailure(fault, std::move(message));
  }
  return Error::Internal(message);
}

Error open_failed(sqlite3* db, int rc, const std::string& what) {
  Error error = sqlite_error(db, rc, what);
  sqlite3_close_v2(db);
  if (error.store_fault() != StoreFault::kNone) return error;
  return Error::StoreFailure(StoreFault::kIoError, error.message());
}

Status bind_value(sqlite3* db, sqlite3_stmt* stmt, int index, const Value& value,
                  sqlite3_destructor_type lifetime) {
  const int rc = std::visit(
      [&](const auto& v) -> int {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return sqlite3_bind_null(stmt, index);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return sqlite3_bind_int64(stmt, index, v);
        } else if constexpr (std::is_same_v<T, double>) {
          return sqlite3_bind_double(stmt, index, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          return sqlite3_bind_int(stmt, index, v ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::chrono::sys_days>) {
          const std::string text = format_date(v);  // a temporary: SQLite copies it
          return sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
        } else {
          return sqlite3_bind_text(stmt, index, v.data(), static_cast<int>(v.size()), lifetime);
        }
      },
      value);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "bind");
  return OkStatus();
}

}  // namespace oeuvre::store::sqlite
