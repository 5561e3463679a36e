#include "services/job_runner.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <thread>

#include "core/date.h"
#include "core/money.h"
#include "core/json_text.h"
#include "core/time.h"
#include "engine/reconciler.h"
#include "engine/rules.h"
#include "observability/log.h"
#include "services/audit_trail.h"
#include "services/job_result_writer.h"
#include "services/job_sides.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

namespace json = boost::json;

// Fractions of the progress bar per phase.
constexpr double kLoadEnd = 0.15;
constexpr double kMatchEnd = 0.80;

std::string node_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "node") + ":" + std::to_string(getpid());
}

std::string error_text(const Error& error) {
  if (error.field_errors().empty()) return error.message();
  std::string text = error.message();
  for (const auto& fe : error.field_errors()) text += "; " + fe.field + ": " + fe.message;
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The job's own audit rows carry the request that created it (else, for a job from before migration
// 0010, the claim).
RequestMeta job_meta(const store::Job& job, const Claim& claim) {
  return origin_meta(job, "job-" + claim.token(), "oeuvre jobs");
}

// Ends a claimed job without results, 'failed' with its reason or 'cancelled', with its audit
// entry. kConflict when the claim was lost.
Status write_ended(store::Connection& conn, const store::Job& job, const Claim& claim,
                   JobStatus status, const std::optional<std::string>& error) {
  ASSIGN_OR_RETURN(bool kept, store::JobRepository::finish(conn, job.id, claim.token(), status,
                                                           "{}", "[]", error, now_utc()));
  if (!kept) return Error::Conflict("the claim on the job was lost");
  return record_audit(
      conn, job_meta(job, claim),
      {std::nullopt, job.project_id, "job." + std::string(status == JobStatus::kFailed ? "fail" : "cancel"),
       "job", job.id.to_string(), std::nullopt,
       json::object{{"status", to_string(status)}, {"error", error ? json::value(*error) : nullptr}}});
}

// The claim's first heartbeats write what claiming wrote; the workers' liveness is a metric.
ClaimOptions claim_options(ClaimOptions claims, obs::Metrics& metrics) {
  claims.first_progress = {"loading", 0, 0, 0};
  claims.alive = [&metrics] { metrics.worker_alive("reconciliation"); };
  return claims;
}

}  // namespace

JobRunner::JobRunner(store::Database& db, obs::Metrics& metrics, JobRunnerOptions options)
    : db_(db),
      metrics_(metrics),
      options_(options),
      node_(node_name()),
      work_("reconciliation jobs", db, std::make_unique<store::JobQueue>(node_),
            claim_options(options.claims, metrics),
            {[this](const store::Job& job, Claim& claim) { return run(job, claim); },
             [](store::Connection& conn, const store::Job& job, const Claim& claim,
                const std::string& reason) {
               return write_ended(conn, job, claim, JobStatus::kFailed, reason);
             },
             [this](const store::Job& job, const Claim& claim, std::string_view outcome,
                    const std::string& reason) { ended(job, claim, outcome, reason); }}) {}

JobRunner::~JobRunner() { stop(); }

Result<bool> JobRunner::run_next() { return work_.run_next(); }

Status JobRunner::run(const store::Job& job, Claim& claim) {
  obs::log_info("reconciliation job started",
                {{"job_id", job.id.to_string()}, {"attempt", claim.attempt()}});
  auto rules = engine::parse_rules(job.rules);
  if (!rules.ok())
    return Error::BadRequest("the job's rules are invalid: " + error_text(rules.error()));

  // Loading: both sides at once.
  const auto load_started = std::chrono::steady_clock::now();
  auto sides = load_job_sides(db_, job, *rules, claim, kLoadEnd);
  if (!sides.ok())
    return claim.aborted() ? stopped(job, claim, std::move(sides).error())
                           : std::move(sides).error();
  if (Status fits = check_amounts_for(*sides, *rules); !fits.ok())
    return Error::BadRequest("the records could not be reconciled: " + error_text(fits.error()));
  const auto total = static_cast<std::int64_t>(sides->left.ids.size() + sides->right.ids.size());
  const double load_seconds = seconds_since(load_started);
  claim.report({"matching", kLoadEnd, total, 0});

  // Matching.
  const auto match_started = std::chrono::steady_clock::now();
  engine::ReconcileOptions engine_options;
  engine_options.threads =
      options_.engine_threads > 0
          ? options_.engine_threads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  engine_options.cancel = &claim.abort();
  engine_options.progress = [&](std::string_view, double fraction) {
    claim.report({"matching", kLoadEnd + (kMatchEnd - kLoadEnd) * fraction, total,
                  static_cast<std::int64_t>(fraction * static_cast<double>(total))});
  };
  auto matched = engine::reconcile(sides->left.table, sides->right.table, *rules, engine_options);
  if (claim.aborted()) return stopped(job, claim, Error::Unavailable("the job was stopped"));
  if (!matched.ok()) {
    return Error::BadRequest("the records could not be reconciled: " + error_text(matched.error()));
  }
  const engine::ReconcileResult& result = *matched;
  const double match_seconds = seconds_since(match_started);

  // Writing: every result, the auto-confirmed matches, the counters and the status, in one
  // transaction.
  const auto write_started = std::chrono::steady_clock::now();
  claim.report({"writing", kMatchEnd, total, total});
  const engine::ReconcileSummary& s = result.summary;
  auto written = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(std::int64_t confirmed,
                     write_job_results(conn, job, result, *sides, claim, kMatchEnd));
    const json::object counters{{"left_records", s.left_records},
                                {"right_records", s.right_records},
                                {"matched", s.matched_groups},
                                {"suggested", s.suggested_groups},
                                {"unmatched_left", s.left_unmatched},
                                {"unmatched_right", s.right_unmatched},
                                {"one_to_one", s.one_to_one},
                                {"one_to_many", s.one_to_many},
                                {"many_to_one", s.many_to_one},
                                {"offsets", s.offsets},
                                {"auto_confirmed", confirmed},
                                {"left_duplicates", s.left_duplicates},
                                {"right_duplicates", s.right_duplicates},
                                {"load_seconds", load_seconds},
                                {"match_seconds", match_seconds},
                                {"write_seconds", seconds_since(write_started)}};
    ASSIGN_OR_RETURN(bool kept,
                     store::JobRepository::finish(
                         conn, job.id, claim.token(), JobStatus::kCompleted, json::serialize(counters),
                         applied_rules_json(result, sides->left.table.amount_scale), std::nullopt,
                         now_utc(), total, rules_with_model(*rules, result)));
    if (!kept) return Error::Conflict("the claim on the job was lost or a cancel was requested");
    return record_audit(
        conn, job_meta(job, claim),
        {std::nullopt, job.project_id, "job.complete", "job", job.id.to_string(), std::nullopt,
         json::object{{"status", "completed"}, {"worker", node_}, {"counters", counters}}});
  });
  if (!written.ok()) {
    const Error& refused = written.error();
    return stopped(job, claim,
                   refused.store_fault() != StoreFault::kNone
                       ? refused_by_store(claim, refused, "the results could not be stored",
                                          "reconciliation", metrics_)
                       : refused.in_context("the results could not be stored: "));
  }
  if (on_project_data_changed_) on_project_data_changed_(job.project_id);
  metrics_.observe_job("completed", total, claim.seconds());
  obs::log_info("reconciliation job completed",
                {{"job_id", job.id.to_string()},
                 {"records", total},
                 {"results", result.groups.size() + result.unmatched_left.size() +
                                 result.unmatched_right.size()},
                 {"seconds", claim.seconds()}});
  return OkStatus();
}

Status JobRunner::stopped(const store::Job& job, Claim& claim, Error error) {
  // A cancel that came in during the write is seen here: the completing update refused it.
  if (!claim.cancel_requested() && error.code() == ErrorCode::kConflict) (void)claim.check();
  if (!claim.cancel_requested()) return error;
  RETURN_IF_ERROR(store::in_transaction(db_, true, [&](store::Connection& conn) {
    return write_ended(conn, job, claim, JobStatus::kCancelled, std::nullopt);
  }));
  ended(job, claim, "cancelled", "");
  return OkStatus();
}

void JobRunner::ended(const store::Job& job, const Claim& claim, std::string_view outcome,
                      const std::string& reason) {
  metrics_.observe_job(std::string(outcome), 0, claim.seconds());
  boost::json::object fields{
      {"job_id", job.id.to_string()}, {"status", outcome}, {"attempt", claim.attempt()}};
  if (!reason.empty()) fields["error"] = reason;
  obs::log(outcome == "failed" ? obs::LogLevel::kWarn : obs::LogLevel::kInfo,
           "reconciliation job ended", std::move(fields));
}

void JobRunner::start() { work_.start(); }

void JobRunner::wake() { work_.wake(); }

void JobRunner::stop() { work_.stop(); }

}  // namespace oeuvre::services
