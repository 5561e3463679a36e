#pragma once
// Backups kept in a directory (BACKUP_DIR): <id>.oeuvre-backup (the archive) and <id>.manifest.json
// beside it. An archive is written under a hidden temp name (.<id>.partial) and renamed when
// complete, then its manifest is written (temp file, rename): a backup is listed once its manifest
// exists, so a half-written archive is never listed as good. Temp names are never listed.
// Thread-safety: safe for concurrent use on distinct ids; list() sees each file whole.

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "backup/manifest.h"
#include "core/result.h"

namespace oeuvre::backup {

// One backup as found in the directory: its manifest, or why it could not be read (such a backup is
// never pruned: it cannot be classified).
struct ListedBackup {
  std::string id;
  std::optional<Manifest> manifest;
  std::string problem;  // set when manifest is empty
};

class BackupDirectory {
 public:
  // Creates the directory when missing. kUnavailable when it cannot.
  static Result<BackupDirectory> open(std::string path);

  const std::string& path() const { return path_; }
  // The temp path an archive with `id` is written to before commit().
  std::string partial_path(const std::string& id) const;
  std::string archive_path(const std::string& id) const;
  // Renames the finished archive into place and writes its manifest. kUnavailable on I/O errors.
  Status commit(const Manifest& manifest);
  // Replaces the manifest of a stored backup (verification results).
  Status write_manifest(const Manifest& manifest);
  // The manifest of `id`: kNotFound when there is no such backup, kBadRequest when it is unreadable.
  Result<Manifest> read_manifest(const std::string& id) const;
  // Every archive in the directory, oldest first (ids sort by time).
  Result<std::vector<ListedBackup>> list() const;
  // Removes the archive and its manifest.
  Status remove(const std::string& id);
  // Removes temp files (.partial, scratch) older than `age`, left by a process that stopped mid-backup.
  void remove_stale_temp_files(std::chrono::seconds age);

 private:
  explicit BackupDirectory(std::string path) : path_(std::move(path)) {}
  std::string manifest_path(const std::string& id) const;
  std::string path_;
};

}  // namespace oeuvre::backup
