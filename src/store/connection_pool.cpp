#include "store/connection_pool.h"

#include "core/blocking.h"
#include "observability/metrics.h"

namespace oeuvre::store {

ConnectionPool::ConnectionPool(Dialect dialect, Factory factory, int max_size,
                               std::chrono::milliseconds wait_timeout, obs::Metrics* metrics)
    : dialect_(dialect),
      factory_(std::move(factory)),
      max_size_(max_size < 1 ? 1 : max_size),
      wait_timeout_(wait_timeout),
      metrics_(metrics),
      state_(std::make_shared<State>()) {}

ConnectionPool::~ConnectionPool() { close(); }

Result<PooledConnection> ConnectionPool::acquire() {
  require_may_block();  // a connection may be a wait away, and a statement is I/O
  std::unique_lock lock(state_->mu);
  const auto asked = std::chrono::steady_clock::now();
  const auto deadline = asked + wait_timeout_;
  // The wait for a free connection (or for the right to open one), not the time to open it.
  auto observe_wait = [&](bool timed_out) {
    if (metrics_ == nullptr) return;
    metrics_->observe_pool_wait(std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count(),
                                timed_out);
  };
  for (;;) {
    if (state_->closed) return Error::StoreFailure(StoreFault::kUnreachable, "the database is shutting down");
    if (!state_->idle.empty()) {
      auto conn = std::move(state_->idle.front());
      state_->idle.pop_front();
      lock.unlock();
      if (!conn->healthy()) {  // a broken session is dropped and replaced below
        lock.lock();
        --state_->open_count;
        continue;
      }
      observe_wait(false);
      return PooledConnection(std::move(conn), releaser());
    }
    if (state_->open_count < max_size_) {
      ++state_->open_count;
      lock.unlock();
      observe_wait(false);
      auto made = factory_();
      if (!made.ok()) {
        lock.lock();
        --state_->open_count;
        state_->cv.notify_one();
        return std::move(made).error();
      }
      return PooledConnection(std::move(made).value(), releaser());
    }
    if (state_->cv.wait_until(lock, deadline) == std::cv_status::timeout) {
      observe_wait(true);
      return Error::StoreFailure(StoreFault::kBusy, "no database connection became free in time");
    }
  }
}

Status ConnectionPool::ping() {
  ASSIGN_OR_RETURN(PooledConnection conn, acquire());
  RETURN_IF_ERROR(conn->query("SELECT 1", {}));
  return OkStatus();
}

std::function<void(std::unique_ptr<Connection>)> ConnectionPool::releaser() const {
  std::weak_ptr<State> weak = state_;
  return [weak](std::unique_ptr<Connection> conn) {
    auto state = weak.lock();
    if (!state) return;  // the pool is gone: the connection closes here
    const bool keep = conn->healthy();
    std::lock_guard lock(state->mu);
    if (state->closed || !keep) {
      --state->open_count;
    } else {
      state->idle.push_back(std::move(conn));
    }
    state->cv.notify_one();
  };
}

PoolStats ConnectionPool::pool_stats() const {
  std::lock_guard lock(state_->mu);
  const int idle = static_cast<int>(state_->idle.size());
  return {state_->open_count - idle, idle, max_size_};
}

void ConnectionPool::close() {
  std::deque<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    idle.swap(state_->idle);
    state_->open_count -= static_cast<int>(idle.size());
    state_->cv.notify_all();
  }
  // idle connections close here, outside the lock
}

}  // namespace oeuvre::store
