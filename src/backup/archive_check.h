#pragma once
// The checks of an archive against its manifest, for the reader that restores or verifies it in one
// pass (backup_restorer.h): the archive's own description names the same backup and row counts; once
// the payload has ended, the file count, size and SHA-256 match.
// Thread-safety: pure functions.

#include <string>

#include "backup/manifest.h"
#include "core/result.h"

namespace oeuvre::backup {

// Ok when they match; kBadRequest saying what does not. `text`: the archive's description entry.
Status check_description(const std::string& text, const Manifest& manifest);
Status check_archive_end(std::int64_t files, std::uint64_t archive_bytes, const std::string& archive_sha256,
                         const Manifest& manifest);

}  // namespace oeuvre::backup
