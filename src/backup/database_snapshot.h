#pragma once
// The database being backed up, frozen at one instant: the uploaded files it refers to, its content
// written into the archive, and its row counts, all from one snapshot. SQLite: a copy made with the
// online backup API (store/sqlite/sqlite_snapshot.h) in a scratch folder; PostgreSQL: an exported
// repeatable-read snapshot that pg_dump shares (store/postgres/pg_backup_tools.h). Either way a job
// writing its results meanwhile is in the backup whole or not at all.
// Not safe for concurrent use.

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

  struct DatabaseEntry {
    std::uint64_t bytes = 0;                        // the entry's size
    std::vector<store::TableRowCount> row_counts;  // every table's rows, ordered by table name
  };
  // Writes the database as one payload entry (database.sqlite3 or database.sql) and counts its rows
  // without a scan before it: SQLite counts on the copy while the copy is written, PostgreSQL counts
  // the rows of the dump as it streams (store/postgres/plain_dump_rows.h). Call once.
  virtual Result<DatabaseEntry> write_database(PayloadWriter& payload) = 0;

 protected:
  std::vector<store::StoredFileRef> files_;
};

// Freezes the database at `database_url`. `scratch_dir` holds the SQLite copy until the snapshot is
// destroyed.
Result<std::unique_ptr<DatabaseSnapshot>> take_database_snapshot(const std::string& database_url,
                                                                 const std::string& scratch_dir);

}  // namespace oeuvre::backup
