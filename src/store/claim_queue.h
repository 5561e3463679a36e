#pragma once
// ClaimQueue: the SQL of one work queue, a table whose rows are the work (files to parse,
// reconciliation jobs to run). services/claimed_work.h runs the one claim protocol over it: claim
// the oldest waiting item with a fresh token (an attempt), heartbeat, end or hand back, recover
// claims whose worker died. Every write of a claimed item is fenced by its token: a worker whose
// claim was handed on, ended or whose item was deleted changes nothing. Each queue's own end states
// (parsed, completed, ...) are written by its repository, fenced the same way.
//
// Implementations run on the caller's connection. Thread-safety: safe for concurrent use.

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"
#include "core/uuid.h"
#include "store/database.h"

namespace oeuvre::store {

// What a heartbeat learned of its claim.
enum class ClaimState {
  kHeld,             // the claim is alive
  kCancelRequested,  // alive, and someone asked the work to stop (jobs)
  kLost,             // handed on to another worker, ended, or the item was deleted
};

// What a worker reports with its heartbeat. A queue stores what it shows (files: the fraction).
struct WorkProgress {
  std::string phase;
  double fraction = 0;
  std::int64_t total = 0;
  std::int64_t processed = 0;
};

// The items waiting to be claimed (metrics).
struct QueueDepth {
  std::int64_t waiting = 0;
  std::optional<Timestamp> oldest;  // since when the longest-waiting item waits; nullopt: none waits
};

class ClaimQueue {
 public:
  virtual ~ClaimQueue() = default;
  // How many items wait, and since when the oldest does (it entered the queue, or was handed back).
  virtual Result<QueueDepth> depth(Connection& conn) = 0;
  // Claims without a heartbeat since `stale_before` (their worker died): failed with a reason once
  // they had `max_attempts` claims (a job whose cancel was asked for: cancelled), waiting again
  // otherwise. Returns how many changed.
  virtual Result<std::int64_t> recover_stale(Connection& conn, Timestamp now,
                                             Timestamp stale_before, std::int64_t max_attempts) = 0;
  // Records progress and keeps the claim alive.
  virtual Result<ClaimState> heartbeat(Connection& conn, const Uuid& id, const std::string& token,
                                       const WorkProgress& progress, Timestamp now) = 0;
  // Ends the claim with the item waiting again. `counted`: the attempt counts toward the limit (it
  // failed); else it does not (a stopping node gives the item back). False when the claim was lost.
  virtual Result<bool> hand_back(Connection& conn, const Uuid& id, const std::string& token,
                                 bool counted, Timestamp now) = 0;
};

// A ClaimQueue whose claims return the claimed row. REQUIRES: Item has `id` (Uuid) and `attempts`
// (std::int64_t) members.
template <class Item>
class ClaimQueueOf : public ClaimQueue {
 public:
  // Claims the oldest waiting item for `token` and counts the attempt (the returned item's attempts
  // include this claim); nullopt when none waits. Several workers and nodes may call this at once:
  // each item goes to one of them (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer).
  virtual Result<std::optional<Item>> claim_next(Connection& conn, const std::string& token,
                                                 Timestamp now) = 0;
};

}  // namespace oeuvre::store
