#pragma once
// The manifest written beside each archive (<id>.manifest.json): what the backup holds and how to
// check it (docs/backups.md, "Manifest"). A backup is listed as complete only once its manifest
// exists; verification results are recorded in it.
// Thread-safety: value types and pure functions.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backup/archive_header.h"
#include "core/result.h"
#include "core/time.h"
#include "store/schema_inventory.h"

namespace oeuvre::backup {

struct Verification {
  Timestamp verified_at{};
  bool ok = false;
  std::string detail;  // what was compared, or what failed
  double duration_seconds = 0;
};

struct Manifest {
  std::string id;
  int format_version = kArchiveFormatVersion;
  Timestamp created_at{};
  SourceKind source_kind = SourceKind::kSqlite;
  std::string key_id;
  std::uint64_t archive_bytes = 0;
  std::string archive_sha256;
  std::uint64_t database_bytes = 0;  // the dump or database file, uncompressed
  std::int64_t file_count = 0;       // uploaded files in the archive
  std::uint64_t file_bytes = 0;
  std::int64_t files_missing = 0;    // referred to by the database but gone when read (deleted meanwhile)
  std::vector<store::TableRowCount> row_counts;
  double duration_seconds = 0;
  std::optional<Verification> verification;
};

std::string manifest_to_json(const Manifest& manifest);
// kBadRequest naming what is missing or malformed.
Result<Manifest> parse_manifest(std::string_view json);

// A new backup id for `at`: "YYYYMMDDTHHMMSSZ-xxxxxx" (UTC, 6 random hex digits): sorts by time.
Result<std::string> make_backup_id(Timestamp at);
// True for text of that shape (what CLI arguments and file names are checked against).
bool valid_backup_id(std::string_view id);

}  // namespace oeuvre::backup
