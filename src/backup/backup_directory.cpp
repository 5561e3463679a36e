#include "backup/backup_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace oeuvre::backup {

namespace fs = std::filesystem;

namespace {

Error io_error(const std::string& what, const std::error_code& ec) {
  return Error::Unavailable("cannot " + what + ": " + ec.message());
}

// Flushes a file's data to disk, so a rename after it never names a file with missing content.
Status sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Unavailable("cannot open " + path + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Error::Unavailable("cannot sync " + path);
  return OkStatus();
}

}  // namespace

Status write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temp = fs::path(path).parent_path() / ("." + fs::path(path).filename().string() + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return Error::Unavailable("cannot write " + temp);
  }
  RETURN_IF_ERROR(sync_file(temp));
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) return io_error("rename " + temp, ec);
  return OkStatus();
}

std::unique_ptr<BackupDirectory> BackupDirectory::open(std::string path) {
  return std::unique_ptr<BackupDirectory>(new BackupDirectory(std::move(path)));
}

std::string BackupDirectory::archive_path(const std::string& id) const { return work_dir() + "/" + archive_name(id); }
std::string BackupDirectory::manifest_path(const std::string& id) const {
  return work_dir() + "/" + manifest_name(id);
}

Status BackupDirectory::commit(const Manifest& manifest) {
  RETURN_IF_ERROR(sync_file(partial_path(manifest.id)));
  std::error_code ec;
  fs::rename(partial_path(manifest.id), archive_path(manifest.id), ec);
  if (ec) return io_error("rename the finished archive", ec);
  return write_manifest(manifest);
}

Status BackupDirectory::write_manifest(const Manifest& manifest) {
  return write_file_atomically(manifest_path(manifest.id), manifest_to_json(manifest));
}

Status BackupDirectory::check_writable() {
  RETURN_IF_ERROR(prepare());
  const std::string probe = work_dir() + "/.oeuvre-write-check";
  RETURN_IF_ERROR(write_file_atomically(probe, "written by oeuvre config check\n"));
  std::error_code ec;
  fs::remove(probe, ec);
  return OkStatus();
}

Result<Manifest> BackupDirectory::read_manifest(const std::string& id) const {
  std::error_code ec;
  if (!valid_backup_id(id) || !fs::exists(archive_path(id), ec)) return Error::NotFound("no backup " + id);
  std::ifstream in(manifest_path(id), std::ios::binary);
  if (!in) return Error::BadRequest("backup " + id + " has no manifest (incomplete or damaged)");
  std::ostringstream text;
  text << in.rdbuf();
  ASSIGN_OR_RETURN(Manifest manifest, parse_manifest(text.str()));
  if (manifest.id != id) return Error::BadRequest("the manifest of " + id + " names another backup");
  return manifest;
}

Result<std::vector<ListedBackup>> BackupDirectory::list() const {
  std::error_code ec;
  std::vector<ListedBackup> listed;
  if (!fs::exists(work_dir(), ec)) return listed;
  for (const auto& entry : fs::directory_iterator(work_dir(), ec)) {
    const std::optional<std::string> id = id_of_archive_name(entry.path().filename().string());
    if (!id) continue;
    auto manifest = read_manifest(*id);
    if (manifest.ok()) {
      listed.push_back({*id, std::move(manifest).value(), ""});
    } else {
      listed.push_back({*id, std::nullopt, manifest.error().message()});
    }
  }
  if (ec) return io_error("list " + work_dir(), ec);
  std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return listed;
}

Status BackupDirectory::remove(const std::string& id) {
  std::error_code ec;
  fs::remove(manifest_path(id), ec);
  if (ec) return io_error("remove the manifest of " + id, ec);
  fs::remove(archive_path(id), ec);
  if (ec) return io_error("remove the archive " + id, ec);
  return OkStatus();
}

Result<LocalArchive> BackupDirectory::fetch_archive(const std::string& id) const {
  std::error_code ec;
  if (!valid_backup_id(id) || !fs::exists(archive_path(id), ec)) return Error::NotFound("no backup " + id);
  return LocalArchive(archive_path(id), false);
}

}  // namespace oeuvre::backup
