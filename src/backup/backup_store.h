#pragma once
// Where backups are kept: a directory (BACKUP_DIR) or an S3 bucket (BACKUP_S3_BUCKET under
// BACKUP_S3_PREFIX). Each backup is two objects, <id>.oeuvre-backup (the archive) and
// <id>.manifest.json beside it, the manifest written after the archive is complete: a backup is good
// once its manifest exists, and a half-written archive is never listed as good.
// Every store also has a local work directory (BACKUP_DIR, default VAR_DIR/backups) for the archive
// being written, archives fetched back for verification or restore, and scratch databases.
// Thread-safety: safe for concurrent use on distinct ids.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backup/manifest.h"
#include "core/config.h"
#include "core/result.h"
#include "security/secrets.h"

namespace oeuvre::backup {

// One backup as found in the store: its manifest, or why it could not be read (such a backup is
// never pruned: it cannot be classified).
struct ListedBackup {
  std::string id;
  std::optional<Manifest> manifest;
  std::string problem;  // set when manifest is empty
};

// An archive as a local file: the stored file itself, or a download removed when this goes.
class LocalArchive {
 public:
  LocalArchive(std::string path, bool temporary) : path_(std::move(path)), temporary_(temporary) {}
  LocalArchive(LocalArchive&& other) noexcept;
  LocalArchive& operator=(LocalArchive&&) = delete;
  ~LocalArchive();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool temporary_;
};

class BackupStore {
 public:
  virtual ~BackupStore() = default;

  // "/srv/backups" or "s3://bucket/backups/": where backups go, for messages.
  virtual std::string describe() const = 0;
  // Where the archive of `id` is (a path or an s3:// URL), for messages.
  virtual std::string location(const std::string& id) const = 0;
  // The local work directory.
  const std::string& work_dir() const { return work_dir_; }
  // The local file a new archive with `id` is written to before commit().
  std::string partial_path(const std::string& id) const;

  // Stores the finished archive (from partial_path) and then its manifest; the partial file is gone
  // afterwards either way. kUnavailable when the store cannot be written.
  virtual Status commit(const Manifest& manifest) = 0;
  // Replaces the manifest of a stored backup (verification results).
  virtual Status write_manifest(const Manifest& manifest) = 0;
  // kNotFound when there is no such backup, kBadRequest when its manifest is missing or unreadable.
  virtual Result<Manifest> read_manifest(const std::string& id) const = 0;
  // Every backup in the store, oldest first (ids sort by time).
  virtual Result<std::vector<ListedBackup>> list() const = 0;
  // Removes the manifest, then the archive.
  virtual Status remove(const std::string& id) = 0;
  // The archive of `id` as a local file.
  virtual Result<LocalArchive> fetch_archive(const std::string& id) const = 0;
  // Writes a small probe where backups go and removes it (`oeuvre config check`): ok when the store
  // takes writes; kUnavailable (or the store's error) with the reason when it does not.
  virtual Status check_writable() = 0;

  // Creates the work directory when missing (stores are opened without touching the disk, so a bad
  // BACKUP_DIR fails a backup, counted and retried, rather than the server's start).
  Status prepare() const;

  // Removes work files (partial archives, downloads, scratch databases) older than `age`, left by a
  // process that stopped mid-backup.
  void remove_stale_temp_files(std::chrono::seconds age);

 protected:
  explicit BackupStore(std::string work_dir) : work_dir_(std::move(work_dir)) {}

 private:
  std::string work_dir_;
};

struct BackupStoreSettings {
  std::string dir;            // BACKUP_DIR (already defaulted): the store, or the work directory for S3
  std::string s3_bucket;      // BACKUP_S3_BUCKET: empty keeps backups in `dir`
  std::string s3_prefix = "backups/";  // BACKUP_S3_PREFIX
  std::string region = "us-east-1";    // AWS_REGION
  std::string endpoint_url;            // AWS_ENDPOINT_URL: an S3-compatible store
};

// The settings in `config` (BACKUP_DIR defaulted to VAR_DIR/backups).
BackupStoreSettings backup_store_settings_of(const Config& config);

// The store the settings name. For S3, credentials come from `secrets` (aws/credentials.h).
// kValidation for bad settings. Nothing is created or contacted yet.
Result<std::unique_ptr<BackupStore>> open_backup_store(const BackupStoreSettings& settings,
                                                       security::SecretSource& secrets);

// The archive and manifest names of a backup.
std::string archive_name(const std::string& id);
std::string manifest_name(const std::string& id);
// The id an archive name stands for, nullopt for any other name.
std::optional<std::string> id_of_archive_name(std::string_view name);

}  // namespace oeuvre::backup
