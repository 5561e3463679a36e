#pragma once
// SQLite backend of the storage seam: WAL mode, foreign keys on, a busy timeout, 16 KiB pages for a
// new database (bulk loads ~10 % faster than with 4 KiB; an existing file keeps its page size), the
// file memory-mapped (up to the build's limit, 2 GiB on Debian) and a page cache of up to 64 MiB
// per connection (with the default 2 MiB, reads of a large database kept copying pages in from the
// OS), no memory statistics (a global mutex per allocation), prepared statements cached per
// connection, bulk loads as multi-row INSERTs and, for a file opened by open_database, checkpoints
// on a thread of their own (WalCheckpointer); a log that grew past 64 MiB (a large load) is cut back
// to that when it restarts. SQL arrives in the shared dialect ($N placeholders) and is rewritten to
// ?N.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "store/database.h"
#include "store/sqlite/wal_checkpointer.h"

namespace oeuvre::store {

// Opens one SQLite session on `path` (":memory:" for a private in-memory database; the parent folder is
// created when missing). Not safe for concurrent use; the pool hands it to one thread at a time. With
// a `checkpointer` (kept alive by the session), commits leave checkpoints to it.
Result<std::unique_ptr<Connection>> connect_sqlite(const std::string& path,
                                                   std::chrono::milliseconds busy_timeout,
                                                   std::shared_ptr<WalCheckpointer> checkpointer = nullptr);

// Rewrites $1..$n placeholders outside string literals and quoted identifiers to ?1..?n.
std::string rewrite_placeholders_for_sqlite(std::string_view sql);

}  // namespace oeuvre::store
