#pragma once
// SQL for reconciliation jobs. The table is also the queue (JobQueue, the one claim protocol of
// store/claim_queue.h): every write of a running job is fenced by its claim token, so a worker whose
// job was handed on cannot write. Runs on the caller's connection.
// Thread-safety: stateless.

#include <optional>
#include <string>

#include "store/claim_queue.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct Job {
  Uuid id;
  Uuid project_id;
  std::string name;
  Uuid left_data_source_id;
  Uuid right_data_source_id;
  std::string rules = "{}";  // the engine's rules JSON, thresholds included
  double confidence_threshold = 0.8;
  double review_threshold = 0.55;
  bool auto_confirm = false;
  JobStatus status = JobStatus::kQueued;
  std::string phase = "queued";   // queued | loading | matching | writing | done
  double progress = 0;
  std::int64_t records_total = 0;
  std::int64_t records_processed = 0;
  std::string counters = "{}";       // JSON object, filled on completion
  std::string applied_rules = "[]";  // JSON: the rules the engine applied (names, comparisons, weights)
  std::optional<std::string> error;
  std::int64_t attempts = 0;
  std::optional<std::string> worker;  // node (host:pid) of the last claim
  std::optional<Timestamp> heartbeat_at;
  bool cancel_requested = false;
  std::optional<Uuid> rerun_of;
  std::optional<Uuid> created_by;
  Timestamp created_at;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> finished_at;
  Timestamp updated_at;
  // The request that created the job: its id and W3C trace id, carried by the job's log lines and
  // audit rows. nullopt for jobs from before migration 0010.
  std::optional<std::string> request_id;
  std::optional<std::string> trace_id;

  bool ended() const { return is_ended(status); }
};

struct ScopedJob {
  Job job;
  Uuid project_owner_id;
};

class JobRepository {
 public:
  static Status insert(Connection& conn, const Job& job);
  // The job when its project is active.
  static Result<std::optional<ScopedJob>> find_visible(Connection& conn, const Uuid& id);
  // Newest first.
  static Result<PageResult<Job>> list(Connection& conn, const Uuid& project_id, const std::optional<JobStatus>& status,
                                      const PageRequest& page);

  // queued -> cancelled at once; running -> cancel_requested. False when the job had ended.
  static Result<bool> request_cancel(Connection& conn, const Uuid& id, Timestamp now);
  // Deletes an ended job and its results (matches keep their links). False when it is queued or running.
  static Result<bool> remove_ended(Connection& conn, const Uuid& id);

  // Ends a claimed job (JobQueue): completed (with counters and applied rules), failed (with error) or
  // cancelled. False when the claim was lost, or when completing a job whose cancel was requested.
  // `records`: how many records the job reconciled (completed only). `rules`, when set on completion,
  // replaces the job's rules: they then hold the match model the job learned and used.
  static Result<bool> finish(Connection& conn, const Uuid& id, const std::string& token, JobStatus status,
                             const std::string& counters, const std::string& applied_rules,
                             const std::optional<std::string>& error, Timestamp now, std::int64_t records = 0,
                             const std::optional<std::string>& rules = std::nullopt);
};

// The jobs table as a work queue: 'queued' jobs wait (oldest first), 'running' ones are claimed
// (heartbeat_at is their heartbeat; phase, progress and record counts what they report). A heartbeat
// answers kCancelRequested once a cancel was asked for. A stale job whose cancel was asked for is
// cancelled.
class JobQueue final : public ClaimQueueOf<Job> {
 public:
  Result<QueueDepth> depth(Connection& conn) override;
  // worker: this node (host:pid), written on the jobs it claims.
  explicit JobQueue(std::string worker) : worker_(std::move(worker)) {}
  Result<std::int64_t> recover_stale(Connection& conn, Timestamp now, Timestamp stale_before,
                                     std::int64_t max_attempts) override;
  Result<std::optional<Job>> claim_next(Connection& conn, const std::string& token, Timestamp now) override;
  Result<ClaimState> heartbeat(Connection& conn, const Uuid& id, const std::string& token, const WorkProgress& progress,
                               Timestamp now) override;
  Result<bool> hand_back(Connection& conn, const Uuid& id, const std::string& token, bool counted,
                         Timestamp now) override;

 private:
  const std::string worker_;
};

}  // namespace oeuvre::store
