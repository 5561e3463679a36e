#include "services/claimed_work.h"

#include <algorithm>

#include "observability/log.h"

namespace oeuvre::services {

namespace {

// How often the heartbeat thread looks at the node's stopping flag between its writes.
constexpr auto kStopPoll = std::chrono::milliseconds(100);
// The longest backoff between two attempts.
constexpr auto kMaxBackoff = std::chrono::milliseconds(60000);

}  // namespace

Claim::Claim(ClaimLoop& loop, const Uuid& id, std::string token, std::int64_t attempt)
    : loop_(loop),
      id_(id),
      token_(std::move(token)),
      attempt_(attempt),
      started_(std::chrono::steady_clock::now()),
      progress_(loop.options().first_progress) {
  thread_ = std::thread([this] { beat_until_done(); });
}

Claim::~Claim() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  done_cv_.notify_all();
  thread_.join();
}

double Claim::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void Claim::report(store::WorkProgress progress) {
  std::lock_guard lock(mu_);
  progress_ = std::move(progress);
}

bool Claim::stopping() const { return loop_.stopping(); }

Result<store::ClaimState> Claim::check() {
  store::WorkProgress snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot = progress_;
  }
  ASSIGN_OR_RETURN(store::ClaimState state,
                   store::with_connection(loop_.db(), [&](store::Connection& conn) {
                     return loop_.queue().heartbeat(conn, id_, token_, snapshot, now_utc());
                   }));
  note(state);
  if (loop_.options().alive) loop_.options().alive();
  return state;
}

void Claim::note(store::ClaimState state) {
  if (state == store::ClaimState::kLost) {
    lost_ = true;
    abort_ = true;
  } else if (state == store::ClaimState::kCancelRequested) {
    cancel_requested_ = true;
    abort_ = true;
  }
}

void Claim::beat_until_done() {
  const auto every = loop_.options().heartbeat_every;
  auto next_beat = std::chrono::steady_clock::now() + every;
  std::unique_lock lock(mu_);
  while (!done_) {
    done_cv_.wait_for(lock, std::min<std::chrono::milliseconds>(kStopPoll, every),
                      [&] { return done_; });
    if (done_) break;
    if (stopping()) abort_ = true;
    if (std::chrono::steady_clock::now() < next_beat) continue;
    next_beat = std::chrono::steady_clock::now() + every;
    lock.unlock();
    (void)check();  // the store is busy or down: try again next time
    lock.lock();
  }
}

ClaimLoop::ClaimLoop(std::string what, store::Database& db, store::ClaimQueue& queue,
                     ClaimOptions options, std::function<Result<bool>()> step)
    : what_(std::move(what)),
      db_(db),
      queue_(queue),
      options_(std::move(options)),
      workers_(what_, options_.poll_interval, [step = std::move(step), alive = options_.alive] {
        if (alive) alive();
        return step();
      }) {}

Status ClaimLoop::recover_stale() {
  const Timestamp now = now_utc();
  ASSIGN_OR_RETURN(
      std::int64_t recovered, store::in_transaction(db_, true, [&](store::Connection& conn) {
        return queue_.recover_stale(conn, now, now - options_.stale_after, options_.max_attempts);
      }));
  if (recovered > 0) obs::log_warn(what_ + ": stale claims handed on", {{"items", recovered}});
  return OkStatus();
}

Result<bool> ClaimLoop::conclude(Claim& claim, const Status& ran, const FailFn& fail_item,
                                 const EndedFn& ended) {
  if (ran.ok()) return true;
  const Error& error = ran.error();
  if (claim.stopping()) return hand_back(claim, false, error.message(), ended);
  if (claim.lost()) {
    ended("lost", error.message());
    return true;
  }
  if (error.code() != ErrorCode::kUnavailable) return fail(error.message(), fail_item, ended);
  if (claim.attempt() >= options_.max_attempts) {
    // The item's reason is read by users: a store failure in plain words, not the engine's.
    const std::string reason = error.engine_text()
                                   ? std::string(store_fault_description(error.store_fault()))
                                   : error.message();
    obs::log_warn(what_ + ": giving up", {{"id", claim.id().to_string()},
                                          {"attempt", claim.attempt()},
                                          {"error", error.message()}});
    return fail(reason + " (gave up after " + std::to_string(claim.attempt()) + " attempts)",
                fail_item, ended);
  }
  const int doublings = static_cast<int>(std::min<std::int64_t>(claim.attempt() - 1, 16));
  const auto backoff =
      std::min<std::chrono::milliseconds>(options_.retry_backoff * (1 << doublings), kMaxBackoff);
  obs::log_warn(what_ + ": attempt failed, retrying",
                {{"id", claim.id().to_string()},
                 {"attempt", claim.attempt()},
                 {"backoff_ms", static_cast<std::int64_t>(backoff.count())},
                 {"error", error.message()}});
  workers_.sleep(backoff);
  return hand_back(claim, true, error.message(), ended);
}

Error refused_by_store(const Claim& claim, const Error& error, std::string_view what,
                       std::string_view work, obs::Metrics& metrics) {
  const StoreFault fault = error.store_fault();
  metrics.count_store_error(store_fault_name(fault), work);
  obs::log_warn("the store refused the work's writes", {{"work", std::string(work)},
                                                        {"id", claim.id().to_string()},
                                                        {"attempt", claim.attempt()},
                                                        {"fault", std::string(store_fault_name(fault))},
                                                        {"error", error.message()}});
  return Error(ErrorCode::kUnavailable,
               std::string(what) + ": " + std::string(store_fault_description(fault)))
      .with_store_fault(fault);
}

Result<bool> ClaimLoop::hand_back(Claim& claim, bool counted, const std::string& why,
                                  const EndedFn& ended) {
  auto back = store::in_transaction(db_, true, [&](store::Connection& conn) {
    return queue_.hand_back(conn, claim.id(), claim.token(), counted, now_utc());
  });
  if (!back.ok()) return std::move(back).error();
  ended(*back ? "handed_back" : "lost", why);
  return true;
}

Result<bool> ClaimLoop::fail(const std::string& reason, const FailFn& fail_item,
                             const EndedFn& ended) {
  auto done = store::in_transaction(
      db_, true, [&](store::Connection& conn) { return fail_item(conn, reason); });
  if (!done.ok() && done.error().code() != ErrorCode::kConflict) return std::move(done).error();
  ended(done.ok() ? "failed" : "lost", reason);
  return true;
}

}  // namespace oeuvre::services
