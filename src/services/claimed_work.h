#pragma once
// ClaimedWork: the one claim protocol of the server's work queues (files to parse, reconciliation
// jobs to run) over a store::ClaimQueue. Each of `workers` threads (BackgroundWorkers) loops:
//   1. recover stale claims: items whose heartbeat stopped for stale_after (their worker died) wait
//      again, or fail with a reason once they had max_attempts claims;
//   2. claim the oldest waiting item with a fresh token: an attempt;
//   3. run the work with a Claim (the thread's log context set to the request that queued the item): a heartbeat thread writes the work's progress every
//      heartbeat_every, keeps the claim alive, and raises abort() when the claim was lost, a cancel
//      was requested or the node stops. Every write of the work is fenced by the claim's token;
//   4. end the claim. The work ends its item itself (parsed, completed, cancelled: a fenced write
//   of
//      its own) and returns ok, or returns an error and the protocol ends the claim:
//        - the node is stopping: the item is handed back, the attempt not counted;
//        - the claim was lost (another worker has the item, or it was deleted): nothing is written;
//        - kUnavailable (the store busy, down, full or broken): after a backoff (retry_backoff,
//          doubling with each attempt) the item is handed back for another attempt, counted; the
//          last attempt fails the item with the error's message (refused_by_store words it);
//        - any other error: the item fails with the error's message as its reason.
//      Failing an item is the work's `fail` handler: its fenced failed state and what goes with it.
//
// Thread-safety: all methods are safe for concurrent use.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/time.h"
#include "core/uuid.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "services/background_workers.h"
#include "services/request_meta.h"
#include "store/claim_queue.h"
#include "store/database.h"
#include "store/transaction.h"

namespace oeuvre::services {

struct ClaimOptions {
  int workers = 1;  // threads; 0: this node takes no work from the queue
  std::chrono::milliseconds poll_interval{2000};  // how often idle workers look for work
  std::chrono::milliseconds heartbeat_every{1000};
  std::chrono::seconds stale_after{60};  // a claim without a heartbeat for this long is handed on
  int max_attempts = 3;                  // claims of one item before it fails
  std::chrono::milliseconds retry_backoff{
      1000};                           // before the 2nd attempt after a kUnavailable; doubles
  store::WorkProgress first_progress;  // written by heartbeats until the work reports
  // Called at each turn of a worker's loop and after each heartbeat the store took: the workers'
  // liveness (Metrics::worker_alive). Must be safe for concurrent use; may be empty.
  std::function<void()> alive;
};

class ClaimLoop;

// One claimed item while its work runs, with its heartbeat thread (started by the constructor,
// joined by the destructor). Thread-safety: safe for concurrent use.
class Claim {
 public:
  Claim(ClaimLoop& loop, const Uuid& id, std::string token, std::int64_t attempt);
  ~Claim();
  Claim(const Claim&) = delete;
  Claim& operator=(const Claim&) = delete;

  const Uuid& id() const { return id_; }
  // Fences every write of the work: pass it to the queue's end-state SQL.
  const std::string& token() const { return token_; }
  // 1 for the item's first claim.
  std::int64_t attempt() const { return attempt_; }
  // Since the claim began.
  double seconds() const;
  // Written with the next heartbeat.
  void report(store::WorkProgress progress);
  // Raised (within a heartbeat's poll, 100 ms) when the claim was lost, a cancel was requested or
  // the node stops: for loops and the engine to watch.
  const std::atomic<bool>& abort() const { return abort_; }
  bool aborted() const { return abort_.load() || stopping(); }
  bool lost() const { return lost_.load(); }
  bool cancel_requested() const { return cancel_requested_.load(); }
  bool stopping() const;
  // One heartbeat now, with the last progress reported: what the store says of the claim.
  Result<store::ClaimState> check();

 private:
  void beat_until_done();
  void note(store::ClaimState state);

  ClaimLoop& loop_;
  const Uuid id_;
  const std::string token_;
  const std::int64_t attempt_;
  const std::chrono::steady_clock::time_point started_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;             // guarded by mu_
  store::WorkProgress progress_;  // guarded by mu_
  std::atomic<bool> abort_{false};
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> lost_{false};
  std::thread thread_;  // last: runs beat_until_done() over the members above
};

// The part of ClaimedWork that does not depend on the item's type: the workers, stale recovery and
// the protocol's ends of a claim.
class ClaimLoop {
 public:
  // Writes the failed end of the claimed item with `reason` on `conn` (inside the protocol's
  // transaction), fenced by the claim: kConflict when the claim was lost.
  using FailFn = std::function<Status(store::Connection& conn, const std::string& reason)>;
  // Told of each end the protocol wrote or found: "failed", "handed_back" or "lost".
  using EndedFn = std::function<void(std::string_view outcome, const std::string& reason)>;

  // what: the work, for log lines ("file parsing"). step: one turn of a worker
  // (ClaimedWork::run_next).
  ClaimLoop(std::string what, store::Database& db, store::ClaimQueue& queue, ClaimOptions options,
            std::function<Result<bool>()> step);

  // Hands on or fails the claims whose worker died.
  Status recover_stale();
  // Ends `claim` after its work returned `ran` (see the protocol above). True: the claim ended (or
  // was found lost); an error when the store refused that too (the claim goes stale, then is handed
  // on).
  Result<bool> conclude(Claim& claim, const Status& ran, const FailFn& fail_item,
                        const EndedFn& ended);

  void start() { workers_.start(options_.workers); }
  void wake() { workers_.wake(); }
  void stop() { workers_.stop(); }
  bool stopping() const { return workers_.stopping().load(); }
  store::Database& db() { return db_; }
  store::ClaimQueue& queue() { return queue_; }
  const ClaimOptions& options() const { return options_; }

 private:
  Result<bool> hand_back(Claim& claim, bool counted, const std::string& why, const EndedFn& ended);
  Result<bool> fail(const std::string& reason, const FailFn& fail_item, const EndedFn& ended);

  const std::string what_;
  store::Database& db_;
  store::ClaimQueue& queue_;
  const ClaimOptions options_;
  BackgroundWorkers workers_;  // last: its threads use the members above
};

// What the work of a claimed item returns when the store refused its writes with a store failure
// (`error`, REQUIRES: error.store_fault() != kNone): the same fault, with `what` and the fault in
// plain words as its message ("the records could not be stored: the store is out of space"), the
// item's reason should its attempts run out. The store's own text is logged with the item and the
// attempt, and counted in oeuvre_store_errors_total{kind, work}.
Error refused_by_store(const Claim& claim, const Error& error, std::string_view what,
                       std::string_view work, obs::Metrics& metrics);

// The log context of a queued item: the request id and trace id of the request that queued it
// (views into `item`). REQUIRES: Item has optional<string> `request_id` and `trace_id` members.
template <class Item>
obs::LogContext origin_of(const Item& item) {
  return {item.request_id ? std::string_view(*item.request_id) : std::string_view{},
          item.trace_id ? std::string_view(*item.trace_id) : std::string_view{},
          {}};
}

// The audit context of a claimed item's own rows: the request that queued it (its id and trace id),
// else `fallback_id` (items queued before migration 0010); `agent` names the worker kind.
template <class Item>
RequestMeta origin_meta(const Item& item, std::string fallback_id, std::string agent) {
  return {item.request_id ? *item.request_id : std::move(fallback_id), "", std::move(agent),
          item.trace_id.value_or("")};
}

template <class Item>
class ClaimedWork {
 public:
  struct Handlers {
    // The work of one claimed item; ok once it wrote the item's end, else an error for the protocol
    // to end the claim (see above).
    std::function<Status(const Item&, Claim&)> run;
    // Writes the item's failed end with `reason`, fenced by the claim (kConflict when it was lost),
    // and what goes with it (an audit entry), on the protocol's transaction.
    std::function<Status(store::Connection&, const Item&, const Claim&, const std::string& reason)>
        fail;
    // Told of each end the protocol wrote or found ("failed", "handed_back", "lost"), for logs and
    // metrics.
    std::function<void(const Item&, const Claim&, std::string_view outcome,
                       const std::string& reason)>
        ended;
  };

  ClaimedWork(std::string what, store::Database& db,
              std::unique_ptr<store::ClaimQueueOf<Item>> queue, ClaimOptions options,
              Handlers handlers)
      : handlers_(std::move(handlers)),
        queue_(std::move(queue)),
        loop_(std::move(what), db, *queue_, std::move(options), [this] { return run_next(); }) {}
  ~ClaimedWork() { stop(); }
  ClaimedWork(const ClaimedWork&) = delete;
  ClaimedWork& operator=(const ClaimedWork&) = delete;

  // Recovers stale claims, then claims one item and runs it to its end. False when there was
  // nothing to do; kUnavailable when the store is down (a claimed item goes stale and is handed
  // on).
  Result<bool> run_next() {
    RETURN_IF_ERROR(loop_.recover_stale());
    const std::string token = Uuid::generate_v4().to_string();
    ASSIGN_OR_RETURN(std::optional<Item> item,
                     store::in_transaction(loop_.db(), true, [&](store::Connection& conn) {
                       return queue_->claim_next(conn, token, now_utc());
                     }));
    if (!item) return false;
    // Every log line of the work (and of ending its claim) names the request that queued it.
    const obs::LogContext context = origin_of(*item);
    obs::LogScope scope(context);
    Claim claim(loop_, item->id, token, item->attempts);
    const Status ran = handlers_.run(*item, claim);
    return loop_.conclude(
        claim, ran,
        [&](store::Connection& conn, const std::string& reason) {
          return handlers_.fail(conn, *item, claim, reason);
        },
        [&](std::string_view outcome, const std::string& reason) {
          handlers_.ended(*item, claim, outcome, reason);
        });
  }

  // Starts options.workers threads; idempotent.
  void start() { loop_.start(); }
  // Wakes an idle worker (new work was queued).
  void wake() { loop_.wake(); }
  // Asks the workers to stop (running work is handed back) and joins them.
  void stop() { loop_.stop(); }
  bool stopping() const { return loop_.stopping(); }

 private:
  const Handlers handlers_;
  const std::unique_ptr<store::ClaimQueueOf<Item>> queue_;
  ClaimLoop loop_;  // last: its threads use the members above
};

}  // namespace oeuvre::services
