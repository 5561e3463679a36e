#pragma once
// JobRunner: runs queued reconciliation jobs in the background. The jobs table is the queue
// (store::JobQueue), run by the one claim protocol (services/claimed_work.h): each worker first
// hands on jobs whose worker died (no heartbeat for stale_after: re-queued, or failed after
// max_attempts claims), then claims the oldest queued job (FOR UPDATE SKIP LOCKED on PostgreSQL, so
// every node sharing the database takes different jobs). A claimed job is run in phases: loading
// (the open records of both data sources, streamed from the store: job_sides.h), matching (the
// engine), writing (ONE transaction: every result and the auto-confirmed matches
// (job_result_writer.h), the counters and the final status), so a job is completed with all its
// results or has none. The claim's heartbeat thread writes progress every second, keeps the claim
// alive and notices a cancel request or a lost claim, which stop the engine within a fraction of a
// second.
//
// Thread-safety: all methods are safe for concurrent use.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "observability/metrics.h"
#include "services/claimed_work.h"
#include "store/database.h"
#include "store/job_repository.h"

namespace oeuvre::services {

struct JobRunnerOptions {
  // JOB_WORKERS (0: this node runs no jobs), JOB_STALE_AFTER_SECONDS, JOB_MAX_ATTEMPTS.
  ClaimOptions claims;     // max_attempts 3
  int engine_threads = 0;  // 0: one per hardware thread
};

class JobRunner {
 public:
  JobRunner(store::Database& db, obs::Metrics& metrics, JobRunnerOptions options = {});
  ~JobRunner();  // stops the workers
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Recovers stale jobs, then claims one job and runs it to its end state. False when there was
  // nothing to do. kUnavailable when the store is down (a claimed job goes stale and is handed on).
  Result<bool> run_next();

  // Starts options.workers background threads; idempotent.
  void start();
  // Wakes an idle worker (called after a job is queued).
  void wake();
  // Asks the workers to stop; a running job is handed back ('queued', the claim not counted) for
  // the next start or another node. Joins the threads.
  void stop();

  // host:pid, written on the jobs this node claims.
  const std::string& node() const { return node_; }
  // Called with the project's id after a commit that changed its records or its jobs (the
  // statistics cache). REQUIRES: set before start().
  void on_project_data_changed(std::function<void(const Uuid&)> hook) {
    on_project_data_changed_ = std::move(hook);
  }

 private:
  // ClaimedWork's handlers.
  Status run(const store::Job& job, Claim& claim);
  void ended(const store::Job& job, const Claim& claim, std::string_view outcome,
             const std::string& reason);
  // After the claim aborted or a write was refused: a requested cancel ends the job as cancelled;
  // else `error` goes to the protocol (a stopping node hands the job back; a lost claim writes
  // nothing).
  Status stopped(const store::Job& job, Claim& claim, Error error);

  store::Database& db_;
  obs::Metrics& metrics_;
  const JobRunnerOptions options_;
  const std::string node_;
  std::function<void(const Uuid&)> on_project_data_changed_;
  ClaimedWork<store::Job> work_;  // last: its threads use the members above
};

}  // namespace oeuvre::services
