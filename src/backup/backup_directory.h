#pragma once
// Backups kept in a directory (BACKUP_DIR): <id>.oeuvre-backup and <id>.manifest.json side by side.
// An archive is written under a hidden temp name (.<id>.partial), synced and renamed when complete,
// then its manifest is written (temp file, rename). The directory is also the work directory.
// Thread-safety: safe for concurrent use on distinct ids; list() sees each file whole.

#include "backup/backup_store.h"

namespace oeuvre::backup {

class BackupDirectory final : public BackupStore {
 public:
  // The directory at `path`, which need not exist yet (prepare() creates it; a missing directory lists
  // no backups).
  static std::unique_ptr<BackupDirectory> open(std::string path);

  std::string describe() const override { return work_dir(); }
  std::string location(const std::string& id) const override { return archive_path(id); }
  std::string archive_path(const std::string& id) const;
  Status commit(const Manifest& manifest) override;
  Status write_manifest(const Manifest& manifest) override;
  Result<Manifest> read_manifest(const std::string& id) const override;
  Result<std::vector<ListedBackup>> list() const override;
  Status remove(const std::string& id) override;
  Result<LocalArchive> fetch_archive(const std::string& id) const override;
  Status check_writable() override;

 private:
  explicit BackupDirectory(std::string path) : BackupStore(std::move(path)) {}
  std::string manifest_path(const std::string& id) const;
};

// Writes `content` to `path` through a synced temp file and a rename.
Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace oeuvre::backup
