#pragma once
// The payload inside an archive: named entries, each a stream of bytes, so a database dump of unknown
// length and the uploaded files travel in one archive (docs/backups.md, "Payload"):
//
//   "OEUVREPL" u16 version(1)
//   entry*:  'F' u16 name_length name  (u32 length bytes)*  u32 0
//   end:     'Z'
// Integers little-endian. Entry names: "backup.json" (what the archive holds, written first), then
// "database.sqlite3" or "database.sql", then "files/<storage key>" per uploaded file.
// Not safe for concurrent use.

#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "backup/archive_reader.h"
#include "backup/archive_writer.h"
#include "core/result.h"

namespace oeuvre::backup {

inline constexpr std::string_view kDescriptionEntry = "backup.json";
inline constexpr std::string_view kSqliteDatabaseEntry = "database.sqlite3";
inline constexpr std::string_view kPostgresDatabaseEntry = "database.sql";
inline constexpr std::string_view kFileEntryPrefix = "files/";

class PayloadWriter {
 public:
  // Writes the payload's opening into `archive`. REQUIRES: `archive` outlives the writer.
  static Result<PayloadWriter> start(ArchiveWriter& archive);
  // Starts an entry named `name` (1..65535 bytes); the previous entry must have been ended.
  Status begin_entry(std::string_view name);
  // Adds bytes to the open entry (any number of calls).
  Status write(std::string_view data);
  Status end_entry();
  // Adds a whole entry from an open stream.
  Status add_entry(std::string_view name, std::istream& content);
  // Ends the payload. REQUIRES: no entry open.
  Status finish();

 private:
  explicit PayloadWriter(ArchiveWriter& archive) : archive_(&archive) {}
  ArchiveWriter* archive_;
  bool in_entry_ = false;
};

class PayloadReader {
 public:
  // Checks the payload's opening. REQUIRES: `archive` outlives the reader.
  static Result<PayloadReader> open(ArchiveReader& archive);
  // The next entry's name, nullopt after the last one (the archive then read to its end and checked).
  // REQUIRES: the previous entry's content was read (read_entry or read_small_entry).
  Result<std::optional<std::string>> next_entry();
  // Hands the entry's content to `sink` piece by piece.
  Status read_entry(const std::function<Status(std::string_view)>& sink);
  // The entry's content as one string, refused beyond `limit` bytes.
  Result<std::string> read_small_entry(std::size_t limit);

 private:
  explicit PayloadReader(ArchiveReader& archive) : archive_(&archive) {}
  ArchiveReader* archive_;
};

// Checks an entry name: the fixed names, or "files/" + a storage key of [a-z0-9./-] without "..".
bool valid_entry_name(std::string_view name);

}  // namespace oeuvre::backup
