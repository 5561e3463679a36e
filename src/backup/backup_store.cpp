#include "backup/backup_store.h"

#include <filesystem>

#include "aws/credentials.h"
#include "backup/backup_directory.h"
#include "backup/s3_backup_store.h"

namespace oeuvre::backup {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kArchiveSuffix = ".oeuvre-backup";
constexpr std::string_view kManifestSuffix = ".manifest.json";

// A prefix is "" or ends with '/', and holds no "." or ".." segment.
Result<std::string> normalised_prefix(std::string prefix) {
  while (prefix.starts_with('/')) prefix.erase(0, 1);
  if (!prefix.empty() && !prefix.ends_with('/')) prefix += '/';
  if (prefix.size() > 512 || prefix.find("//") != std::string::npos || prefix.starts_with("./") ||
      prefix.find("/./") != std::string::npos || prefix.starts_with("../") || prefix.find("/../") != std::string::npos) {
    return Error::Validation("BACKUP_S3_PREFIX", "must be a key prefix like backups/ (no empty, . or .. parts)");
  }
  for (char c : prefix) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '\\') {
      return Error::Validation("BACKUP_S3_PREFIX", "holds a control character or a backslash");
    }
  }
  return prefix;
}

}  // namespace

LocalArchive::LocalArchive(LocalArchive&& other) noexcept
    : path_(std::move(other.path_)), temporary_(std::exchange(other.temporary_, false)) {}

LocalArchive::~LocalArchive() {
  if (!temporary_) return;
  std::error_code ec;
  fs::remove(path_, ec);
}

std::string BackupStore::partial_path(const std::string& id) const { return work_dir_ + "/." + id + ".partial"; }

Status BackupStore::prepare() const {
  std::error_code ec;
  fs::create_directories(work_dir_, ec);
  if (ec) return Error::Unavailable("cannot create the backup directory " + work_dir_ + ": " + ec.message());
  return OkStatus();
}

void BackupStore::remove_stale_temp_files(std::chrono::seconds age) {
  std::error_code ec;
  const auto cutoff = fs::file_time_type::clock::now() - age;
  for (const auto& entry : fs::directory_iterator(work_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.front() != '.' || !entry.is_regular_file(ec)) continue;
    if (entry.last_write_time(ec) < cutoff) fs::remove(entry.path(), ec);
  }
}

std::string archive_name(const std::string& id) { return id + std::string(kArchiveSuffix); }
std::string manifest_name(const std::string& id) { return id + std::string(kManifestSuffix); }

std::optional<std::string> id_of_archive_name(std::string_view name) {
  if (!name.ends_with(kArchiveSuffix)) return std::nullopt;
  std::string id(name.substr(0, name.size() - kArchiveSuffix.size()));
  if (!valid_backup_id(id)) return std::nullopt;
  return id;
}

BackupStoreSettings backup_store_settings_of(const Config& config) {
  return {backup_dir_of(config), config.backup_s3_bucket, config.backup_s3_prefix, config.aws_region,
          config.aws_endpoint_url};
}

Result<std::unique_ptr<BackupStore>> open_backup_store(const BackupStoreSettings& settings,
                                                       security::SecretSource& secrets) {
  if (settings.s3_bucket.empty()) {
    return std::unique_ptr<BackupStore>(BackupDirectory::open(settings.dir));
  }
  ASSIGN_OR_RETURN(std::string prefix, normalised_prefix(settings.s3_prefix));
  aws::S3Options options;
  options.bucket = settings.s3_bucket;
  options.region = settings.region.empty() ? "us-east-1" : settings.region;
  options.endpoint_url = settings.endpoint_url;
  ASSIGN_OR_RETURN(options.credentials, aws::credentials_from(secrets));
  ASSIGN_OR_RETURN(aws::S3Client client, aws::S3Client::create(std::move(options)));
  return std::unique_ptr<BackupStore>(new S3BackupStore(std::move(client), std::move(prefix), settings.dir));
}

}  // namespace oeuvre::backup
