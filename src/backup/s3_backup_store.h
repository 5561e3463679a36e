#pragma once
// Backups kept in S3 or an S3-compatible store, under a prefix: PREFIX<id>.oeuvre-backup, uploaded in
// parts (an upload that fails is aborted, so no object appears), then PREFIX<id>.manifest.json. The
// archive is written to the local work directory first and uploaded from there; verification and
// restore download it back into the work directory (removed afterwards).
// Thread-safety: safe for concurrent use on distinct ids.

#include "aws/s3_client.h"
#include "backup/backup_store.h"

namespace oeuvre::backup {

class S3BackupStore final : public BackupStore {
 public:
  S3BackupStore(aws::S3Client client, std::string prefix, std::string work_dir)
      : BackupStore(std::move(work_dir)), client_(std::move(client)), prefix_(std::move(prefix)) {}

  std::string describe() const override { return client_.describe() + "/" + prefix_; }
  std::string location(const std::string& id) const override { return describe() + archive_name(id); }
  Status commit(const Manifest& manifest) override;
  Status write_manifest(const Manifest& manifest) override;
  Result<Manifest> read_manifest(const std::string& id) const override;
  Result<std::vector<ListedBackup>> list() const override;
  Status remove(const std::string& id) override;
  Result<LocalArchive> fetch_archive(const std::string& id) const override;
  Status check_writable() override;

 private:
  Result<Manifest> read_manifest_object(const std::string& id) const;
  aws::S3Client client_;
  std::string prefix_;
};

}  // namespace oeuvre::backup
