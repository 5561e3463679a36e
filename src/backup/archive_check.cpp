#include "backup/archive_check.h"

namespace oeuvre::backup {

namespace {

bool same_counts(const std::vector<store::TableRowCount>& a, const std::vector<store::TableRowCount>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].table != b[i].table || a[i].rows != b[i].rows) return false;
  }
  return true;
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

}  // namespace oeuvre::backup
