#pragma once
// A consistent copy of a live SQLite database file, taken with SQLite's online backup API while other
// connections keep reading and writing: the copy is the database as one read transaction saw it (a
// job's results written in one transaction are in the copy whole or not at all). In WAL mode the
// copy does not block writers.
// Thread-safety: safe for concurrent use (each call opens its own connections).

#include <string>

#include "core/result.h"

namespace oeuvre::store {

// Copies the database at `source_path` into a new file at `target_path` (replaced when present).
// kUnavailable when either file cannot be opened or written.
Status copy_sqlite_database(const std::string& source_path, const std::string& target_path);

}  // namespace oeuvre::store
