#include "backup/archive_check.h"

#include <fstream>

#include "backup/archive_reader.h"
#include "backup/payload.h"

namespace oeuvre::backup {

namespace {

constexpr std::size_t kMaxDescriptionBytes = 1 << 20;

bool same_counts(const std::vector<store::TableRowCount>& a, const std::vector<store::TableRowCount>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].table != b[i].table || a[i].rows != b[i].rows) return false;
  }
  return true;
}

// Reads every entry; checks the description and counts the files.
Status check_entries(PayloadReader& payload, const Manifest& manifest, std::int64_t& payload_files) {
  std::int64_t files = 0;
  bool described = false;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<std::string> name, payload.next_entry());
    if (!name) break;
    if (*name == kDescriptionEntry) {
      ASSIGN_OR_RETURN(std::string text, payload.read_small_entry(kMaxDescriptionBytes));
      RETURN_IF_ERROR(check_description(text, manifest));
      described = true;
      continue;
    }
    if (name->starts_with(kFileEntryPrefix)) ++files;
    RETURN_IF_ERROR(payload.skip_entry());
  }
  if (!described) return Error::BadRequest("the archive has no description entry");
  payload_files = files;
  return OkStatus();
}

}  // namespace

Status check_description(const std::string& text, const Manifest& manifest) {
  ASSIGN_OR_RETURN(Manifest inside, parse_manifest(text));
  if (inside.id != manifest.id || !same_counts(inside.row_counts, manifest.row_counts)) {
    return Error::BadRequest("the manifest does not match the archive's own description (id or row counts)");
  }
  return OkStatus();
}

Status check_archive_end(std::int64_t files, std::uint64_t archive_bytes, const std::string& archive_sha256,
                         const Manifest& manifest) {
  if (files != manifest.file_count) {
    return Error::BadRequest("the archive holds " + std::to_string(files) + " files, the manifest says " +
                             std::to_string(manifest.file_count));
  }
  if (archive_bytes != manifest.archive_bytes) {
    return Error::BadRequest("the archive is " + std::to_string(archive_bytes) + " bytes, its manifest says " +
                             std::to_string(manifest.archive_bytes));
  }
  if (archive_sha256 != manifest.archive_sha256) {
    return Error::BadRequest("the archive's SHA-256 differs from its manifest's");
  }
  return OkStatus();
}

Status check_archive(const std::string& archive_path, const BackupKey& key, const Manifest& manifest) {
  std::ifstream in(archive_path, std::ios::binary);
  if (!in) return Error::NotFound("cannot open the archive " + archive_path);
  ASSIGN_OR_RETURN(std::unique_ptr<ArchiveReader> archive, ArchiveReader::open(in, key));
  if (archive->header().source_kind != manifest.source_kind) {
    return Error::BadRequest("the archive's source kind differs from its manifest's");
  }
  ASSIGN_OR_RETURN(PayloadReader payload, PayloadReader::open(*archive));
  std::int64_t files = 0;
  RETURN_IF_ERROR(check_entries(payload, manifest, files));
  return check_archive_end(files, archive->archive_bytes(), archive->archive_sha256_hex(), manifest);
}

}  // namespace oeuvre::backup
