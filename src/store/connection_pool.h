#pragma once
// ConnectionPool: a bounded pool of Connections made by a factory, shared by both backends.
// Safe for concurrent use.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "store/database.h"

namespace oeuvre::store {

class ConnectionPool final : public Database {
 public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;

  // REQUIRES: max_size >= 1; `metrics`, when not null, outlives the pool (each acquisition's wait is
  // observed into it).
  ConnectionPool(Dialect dialect, Factory factory, int max_size, std::chrono::milliseconds wait_timeout,
                 obs::Metrics* metrics = nullptr);
  ~ConnectionPool() override;

  Result<PooledConnection> acquire() override;
  Dialect dialect() const override { return dialect_; }
  // "SELECT 1" on a borrowed connection (one the pool holds idle, or a new one).
  Status ping() override;
  void close() override;
  PoolStats pool_stats() const override;

 private:
  std::function<void(std::unique_ptr<Connection>)> releaser() const;

  const Dialect dialect_;
  const Factory factory_;
  const int max_size_;
  const std::chrono::milliseconds wait_timeout_;
  obs::Metrics* const metrics_;
  // Shared with PooledConnection release callbacks so a connection returned after the pool is gone is
  // simply dropped.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::unique_ptr<Connection>> idle;  // guarded by mu
    int open_count = 0;                            // guarded by mu: idle + borrowed
    bool closed = false;                           // guarded by mu
  };
  std::shared_ptr<State> state_;
};

}  // namespace oeuvre::store
