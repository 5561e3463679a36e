#pragma once
// WalCheckpointer: checkpoints of an SQLite database in WAL mode, on a thread of their own.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"

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

}  // namespace oeuvre::store
