#include "backup/s3_backup_store.h"

#include <filesystem>
#include <set>

#include "security/crypto.h"

namespace oeuvre::backup {

namespace fs = std::filesystem;

Status S3BackupStore::commit(const Manifest& manifest) {
  const std::string partial = partial_path(manifest.id);
  Status uploaded = client_.upload_file(prefix_ + archive_name(manifest.id), partial);
  std::error_code ec;
  fs::remove(partial, ec);
  RETURN_IF_ERROR(uploaded);
  return write_manifest(manifest);
}

Status S3BackupStore::write_manifest(const Manifest& manifest) {
  return client_.put_object(prefix_ + manifest_name(manifest.id), manifest_to_json(manifest), "application/json");
}

Result<Manifest> S3BackupStore::read_manifest_object(const std::string& id) const {
  auto text = client_.get_object(prefix_ + manifest_name(id));
  if (!text.ok()) {
    if (text.error().code() == ErrorCode::kNotFound) {
      return Error::BadRequest("backup " + id + " has no manifest (incomplete or damaged)");
    }
    return std::move(text).error();
  }
  ASSIGN_OR_RETURN(Manifest manifest, parse_manifest(*text));
  if (manifest.id != id) return Error::BadRequest("the manifest of " + id + " names another backup");
  return manifest;
}

Result<Manifest> S3BackupStore::read_manifest(const std::string& id) const {
  if (!valid_backup_id(id)) return Error::NotFound("no backup " + id);
  ASSIGN_OR_RETURN(std::vector<aws::S3Object> objects, client_.list(prefix_ + archive_name(id)));
  bool found = false;
  for (const aws::S3Object& object : objects) found = found || object.key == prefix_ + archive_name(id);
  if (!found) return Error::NotFound("no backup " + id + " in " + describe());
  return read_manifest_object(id);
}

Result<std::vector<ListedBackup>> S3BackupStore::list() const {
  ASSIGN_OR_RETURN(std::vector<aws::S3Object> objects, client_.list(prefix_));
  std::set<std::string> manifests;
  for (const aws::S3Object& object : objects) manifests.insert(object.key);
  std::vector<ListedBackup> listed;
  for (const aws::S3Object& object : objects) {
    const std::optional<std::string> id = id_of_archive_name(std::string_view(object.key).substr(prefix_.size()));
    if (!id || object.key.find('/', prefix_.size()) != std::string::npos) continue;
    if (!manifests.contains(prefix_ + manifest_name(*id))) {
      listed.push_back({*id, std::nullopt, "backup " + *id + " has no manifest (incomplete or damaged)"});
      continue;
    }
    auto manifest = read_manifest_object(*id);
    if (!manifest.ok() && manifest.error().code() == ErrorCode::kUnavailable) return std::move(manifest).error();
    if (manifest.ok()) {
      listed.push_back({*id, std::move(manifest).value(), ""});
    } else {
      listed.push_back({*id, std::nullopt, manifest.error().message()});
    }
  }
  return listed;  // the client lists in key order, and ids sort by time
}

Status S3BackupStore::check_writable() {
  const std::string probe = prefix_ + ".oeuvre-write-check";
  RETURN_IF_ERROR(client_.put_object(probe, "written by oeuvre config check\n", "text/plain"));
  return client_.remove(probe);
}

Status S3BackupStore::remove(const std::string& id) {
  RETURN_IF_ERROR(client_.remove(prefix_ + manifest_name(id)));
  return client_.remove(prefix_ + archive_name(id));
}

Result<LocalArchive> S3BackupStore::fetch_archive(const std::string& id) const {
  if (!valid_backup_id(id)) return Error::NotFound("no backup " + id);
  RETURN_IF_ERROR(prepare());
  ASSIGN_OR_RETURN(std::string random, security::random_bytes(6));
  LocalArchive local(work_dir() + "/.fetch-" + id + "-" + security::hex_encode(random), true);
  RETURN_IF_ERROR(client_.download_to_file(prefix_ + archive_name(id), local.path()));
  return local;
}

}  // namespace oeuvre::backup
