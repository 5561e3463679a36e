#pragma once
// Where a restore writes: the database (a SQLite file written beside the target and renamed over it
// at commit; or psql in one transaction, committed at commit) and the uploaded files (staged beside
// the blobs folder and moved in at commit, or only hashed when proving a backup). Destroyed without
// commit(), a target leaves what it would have replaced untouched.
// Not safe for concurrent use.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "backup/archive_header.h"
#include "core/result.h"
#include "security/crypto.h"

namespace oeuvre::backup {

class DatabaseTarget {
 public:
  virtual ~DatabaseTarget() = default;
  virtual Status write(std::string_view piece) = 0;
  // Puts the written database in place. REQUIRES: the archive was read to its authenticated end.
  virtual Status commit() = 0;
};

// Ok when `database_url` names the backend an archive of `kind` restores into; kValidation (field
// --to) saying which URL it needs otherwise.
Status check_target_kind(SourceKind kind, const std::string& database_url);

// A target for an archive of `kind` at `database_url`; kValidation when the URL names the other
// backend. `replace`: the target may hold tables (they are replaced).
Result<std::unique_ptr<DatabaseTarget>> open_database_target(SourceKind kind, const std::string& database_url,
                                                             bool replace);

// True when the database at `database_url` holds any table (a SQLite file that does not exist holds
// none).
Result<bool> database_has_tables(const std::string& database_url);

class FileTarget {
 public:
  virtual ~FileTarget() = default;
  virtual Status begin_file(const std::string& storage_key) = 0;
  virtual Status write(std::string_view piece) = 0;
  virtual Status end_file() = 0;
  virtual Status commit() = 0;
};

// Files staged in a hidden folder beside `blobs_dir`, moved into it at commit (replacing files with
// the same storage key).
Result<std::unique_ptr<FileTarget>> open_blob_folder_target(const std::string& blobs_dir);

// Files only hashed: SHA-256 (hex) per storage key, for comparing with the restored files table.
class FileHashes final : public FileTarget {
 public:
  Status begin_file(const std::string& storage_key) override;
  Status write(std::string_view piece) override;
  Status end_file() override;
  Status commit() override { return OkStatus(); }
  const std::map<std::string, std::string>& hashes() const { return hashes_; }

 private:
  std::string key_;
  std::unique_ptr<security::Sha256Stream> hash_;
  std::map<std::string, std::string> hashes_;
};

}  // namespace oeuvre::backup
