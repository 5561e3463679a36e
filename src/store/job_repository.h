#pragma once
// SQL for reconciliation jobs. The table is also the queue: claim_next() takes the oldest queued job
// (FOR UPDATE SKIP LOCKED on PostgreSQL, so nodes sharing the database take different jobs; SQLite
// has one writer at a time), and every write of a running job is fenced by its claim token, so a
// worker whose job was handed on cannot write. Runs on the caller's connection.
// Thread-safety: stateless.

#include <optional>
#include <string>

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

  bool ended() const { return is_ended(status); }
};

struct ScopedJob {
  Job job;
  Uuid project_owner_id;
};

// What a worker reports while it runs a job.
struct JobProgress {
  std::string phase;
  double progress = 0;
  std::int64_t records_total = 0;
  std::int64_t records_processed = 0;
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

  // Running jobs silent since `stale_before` (their worker died): cancelled when a cancel was asked
  // for, failed once they had `max_attempts` claims, re-queued otherwise. Returns how many changed.
  static Result<std::int64_t> recover_stale(Connection& conn, Timestamp now, Timestamp stale_before,
                                            std::int64_t max_attempts);
  // Claims the oldest queued job for `token`; nullopt when none is queued.
  static Result<std::optional<Job>> claim_next(Connection& conn, const std::string& token, const std::string& worker,
                                               Timestamp now);
  // Records progress and keeps the claim alive. nullopt when the claim was lost; else whether a
  // cancel was requested.
  static Result<std::optional<bool>> heartbeat(Connection& conn, const Uuid& id, const std::string& token,
                                               const JobProgress& progress, Timestamp now);
  // Ends a claimed job: completed (with counters and applied rules), failed (with error), cancelled,
  // or queued again (a stopping node hands it back, the claim not counted). False when the claim was
  // lost, or when completing a job whose cancel was requested.
  // `records`: how many records the job reconciled (completed only).
  static Result<bool> finish(Connection& conn, const Uuid& id, const std::string& token, JobStatus status,
                             const std::string& counters, const std::string& applied_rules,
                             const std::optional<std::string>& error, Timestamp now, std::int64_t records = 0);
};

}  // namespace oeuvre::store
