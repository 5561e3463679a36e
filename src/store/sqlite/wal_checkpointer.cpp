#include "store/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include "store/sqlite/sqlite_statement.h"

namespace oeuvre::store {

using sqlite::open_failed;

Result<std::shared_ptr<WalCheckpointer>> WalCheckpointer::start(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return open_failed(db, rc, "open " + path + " for checkpoints");
  // A session finds the log when it first reads the file; until then a checkpoint does nothing.
  sqlite3_busy_timeout(db, 5000);
  if (const int read = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr); read != SQLITE_OK) {
    return open_failed(db, read, "open " + path + " for checkpoints");
  }
  auto checkpointer = std::shared_ptr<WalCheckpointer>(new WalCheckpointer(db));
  checkpointer->thread_ = std::thread([raw = checkpointer.get()] { raw->run(); });
  return checkpointer;
}

WalCheckpointer::WalCheckpointer(sqlite3* db) : db_(db) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::committed(int frames) {
  if (frames < kFramesBeforeCheckpoint) return;
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  cv_.notify_one();
}

std::int64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return runs_;
}

void WalCheckpointer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never waits. SQLITE_BUSY (another checkpoint
    // under way, e.g. a closing session's) is fine: the next large commit asks again.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    ++runs_;
  }
}

}  // namespace oeuvre::store
