#pragma once
// The database being backed up, frozen at one instant: the uploaded files it refers to, its content
// written into the archive, and its row counts, all from one snapshot. SQLite: a copy made with the
// online backup API (store/sqlite/sqlite_snapshot.h) in a scratch folder; PostgreSQL: an exported
// repeatable-read snapshot that pg_dump shares (store/postgres/pg_backup_tools.h). Either way a job
// writing its results meanwhile is in the backup whole or not at all.
// Not safe for concurrent use, except that count_rows may run on another thread while
// write_database runs (each uses its own connection, or pg_dump its own process).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backup/archive_header.h"
#include "backup/payload.h"
#include "core/result.h"
#include "store/schema_inventory.h"

namespace oeuvre::backup {

class DatabaseSnapshot {
 public:
  virtual ~DatabaseSnapshot() = default;
  virtual SourceKind kind() const = 0;
  const std::vector<store::StoredFileRef>& files() const { return files_; }
  // Writes the database as one payload entry (database.sqlite3 or database.sql); its size in bytes.
  virtual Result<std::uint64_t> write_database(PayloadWriter& payload) = 0;
  // Every table's rows in the snapshot: a scan of the whole database, worth running beside
  // write_database. Call at most once.
  virtual Result<std::vector<store::TableRowCount>> count_rows() = 0;

 protected:
  std::vector<store::StoredFileRef> files_;
};

// Freezes the database at `database_url`. `scratch_dir` holds the SQLite copy until the snapshot is
// destroyed.
Result<std::unique_ptr<DatabaseSnapshot>> take_database_snapshot(const std::string& database_url,
                                                                 const std::string& scratch_dir);

}  // namespace oeuvre::backup
