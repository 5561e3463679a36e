#pragma once
// Folders and files only their owner may use: VAR_DIR, the uploads, the SQLite database (password
// hashes and every financial record), generated secrets. Whatever the process umask, what is created
// here is 0700 (folders) or 0600 (files), and what an older version left readable is tightened.
// Thread-safety: safe for concurrent use (each call touches the filesystem only).

#include <string>

#include "core/result.h"

namespace oeuvre {

// Creates `dir` and its missing parents with mode 0700; an existing `dir` that others may use is
// tightened to 0700 (existing parents are left as they are). kUnavailable with the reason when the
// filesystem refuses.
Status make_private_directory(const std::string& dir);

// Creates `path` empty with mode 0600 when it is missing; an existing file that others may use is
// tightened to 0600. Its folder must exist. kUnavailable with the reason when the filesystem
// refuses.
Status make_private_file(const std::string& path);

// Tightens `path` to 0600 when it exists and others may use it; nothing when it does not exist.
Status restrict_existing_file(const std::string& path);

}  // namespace oeuvre
