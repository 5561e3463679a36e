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

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/database.h"

struct sqlite3;

namespace oeuvre::store {

// Copies committed pages from the write-ahead log into the database file on a thread and session of
// its own. SQLite's automatic checkpoint runs in the committing thread: after a load of a million
// rows, 1.5-2 s of copying before the writer's COMMIT returned (a job looked unfinished that long).
// Sessions opened with a checkpointer leave that to it: their commits only signal it when the log
// holds kFramesBeforeCheckpoint pages or more (SQLite's default threshold), and it runs a PASSIVE
// checkpoint (readers and writers go on meanwhile). Safe for concurrent use.
class WalCheckpointer {
 public:
  static constexpr int kFramesBeforeCheckpoint = 1000;

  // Opens the checkpointer's session on `path` (a database file in WAL mode) and starts its thread.
  static Result<std::shared_ptr<WalCheckpointer>> start(const std::string& path);
  // Stops the thread (a checkpoint under way ends first) and closes its session.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Asks for a checkpoint when `frames` (the log's size in pages after a commit) reaches the threshold.
  void committed(int frames);
  // Checkpoints run so far (for tests).
  std::int64_t checkpoints() const;

 private:
  explicit WalCheckpointer(sqlite3* db);
  void run();

  sqlite3* db_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::int64_t runs_ = 0;   // guarded by mu_
  std::thread thread_;
};

// Opens one SQLite session on `path` (":memory:" for a private in-memory database; the parent folder is
// created when missing). Not safe for concurrent use; the pool hands it to one thread at a time. With
// a `checkpointer` (kept alive by the session), commits leave checkpoints to it.
Result<std::unique_ptr<Connection>> connect_sqlite(const std::string& path,
                                                   std::chrono::milliseconds busy_timeout,
                                                   std::shared_ptr<WalCheckpointer> checkpointer = nullptr);

// Rewrites $1..$n placeholders outside string literals and quoted identifiers to ?1..?n.
std::string rewrite_placeholders_for_sqlite(std::string_view sql);

}  // namespace oeuvre::store
