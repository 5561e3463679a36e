#pragma once
// Reads a stored archive from end to end without restoring anything and checks it against its
// manifest: size and SHA-256, header (source kind, key id), every chunk authenticated up to the final
// one, the description inside (row counts) equal to the manifest's, and the number of files. The
// step before any restore touches its target.
// Thread-safety: reads only; safe for concurrent use.

#include <string>

#include "backup/backup_key.h"
#include "backup/manifest.h"
#include "core/result.h"

namespace oeuvre::backup {

// Ok when the archive at `archive_path` is intact and matches `manifest`; kBadRequest saying what
// does not.
Status check_archive(const std::string& archive_path, const BackupKey& key, const Manifest& manifest);

// The checks against the manifest, for a reader that reads an archive once: the archive's own
// description (`text`) names the same backup and row counts; and, once the payload has ended, the
// file count, size and SHA-256.
Status check_description(const std::string& text, const Manifest& manifest);
Status check_archive_end(std::int64_t files, std::uint64_t archive_bytes, const std::string& archive_sha256,
                         const Manifest& manifest);

}  // namespace oeuvre::backup
