#include "store/sqlite/sqlite_snapshot.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>

namespace oeuvre::store {

namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;

Result<DbHandle> open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle handle(db);
  if (rc != SQLITE_OK) {
    return Error::Unavailable("cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db, 10'000);
  return handle;
}

}  // namespace

Status copy_sqlite_database(const std::string& source_path, const std::string& target_path) {
  std::error_code ec;
  std::filesystem::remove(target_path, ec);
  ASSIGN_OR_RETURN(DbHandle source, open(source_path, SQLITE_OPEN_READONLY));
  ASSIGN_OR_RETURN(DbHandle target, open(target_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  sqlite3_backup* backup = sqlite3_backup_init(target.get(), "main", source.get(), "main");
  if (backup == nullptr) return Error::Unavailable(std::string("cannot copy the database: ") + sqlite3_errmsg(target.get()));
  // All pages in one step: one read transaction, so one consistent snapshot.
  const int step = sqlite3_backup_step(backup, -1);
  const int finished = sqlite3_backup_finish(backup);
  if (step != SQLITE_DONE || finished != SQLITE_OK) {
    return Error::Unavailable(std::string("cannot copy the database: ") + sqlite3_errstr(step != SQLITE_DONE ? step : finished));
  }
  // The copy is a single file: no write-ahead log beside it.
  char* message = nullptr;
  if (sqlite3_exec(target.get(), "PRAGMA journal_mode = DELETE", nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return Error::Unavailable("cannot finish the database copy: " + text);
  }
  return OkStatus();
}

}  // namespace oeuvre::store
