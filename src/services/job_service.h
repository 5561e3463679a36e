#pragma once
// Reconciliation jobs as the API sees them: create, list, read, cancel, rerun, delete (defined in
// job_service.cpp); their results (keyset pages with the records of both sides and the per-field
// explanation), summary and export (defined in job_results.cpp, types in job_results.h).
// Every call goes through the policy module on the job's project: another user's job, result or
// match answers 404. Changes are audited in their transaction. Running the jobs is JobRunner's
// work. A job's rules are merged and validated once, by merge_rules; the stored text is the
// canonical form (engine::rules_to_json) that the runner parses. Thread-safety: safe for concurrent
// use.

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/rules.h"
#include "security/policy.h"
#include "services/job_results.h"
#include "services/cached_reads.h"
#include "services/request_meta.h"
#include "store/database.h"
#include "store/job_repository.h"

namespace oeuvre::services {

struct NewJob {
  std::string name;
  Uuid left_data_source_id;
  Uuid right_data_source_id;
  engine::RuleSet rules;  // from merge_rules
  bool auto_confirm = false;
};

class JobService {
 public:
  // `wake` (may be empty) is called after a job is queued, so an idle worker starts at once.
  JobService(store::Database& db, std::function<void()> wake) : db_(db), wake_(std::move(wake)) {}
  // Reads jobs and ended jobs' summaries through the cache. REQUIRES: called before serving.
  void use_cache(CachedReads& reads) { reads_ = &reads; }

  // The rules of a new job: the request's "rules" value (nullptr or null: engine::default_rules()),
  // then the request's thresholds, when given, in place of the rules' own; validated. kValidation
  // lists every problem under the API's names: "rules" or "rules.<path>" ("rules.fields[1].weight")
  // for the rules, "confidence_threshold" / "review_threshold" when a threshold given at the top
  // level is at fault.
  static Result<engine::RuleSet> merge_rules(const boost::json::value* rules,
                                             std::optional<double> confidence_threshold,
                                             std::optional<double> review_threshold);

  // kNotFound for a project the actor may not reach; kValidation (field errors) for data sources
  // that are not two different active data sources of the project.
  Result<store::Job> create(const security::Actor& actor, const Uuid& project_id, NewJob job, const RequestMeta& meta);
  Result<store::Job> get(const security::Actor& actor, const Uuid& id);
  Result<PageResult<store::Job>> list(const security::Actor& actor, const Uuid& project_id,
                                             const std::optional<JobStatus>& status, const PageRequest& page);
  // kConflict when the job has ended.
  Result<store::Job> cancel(const security::Actor& actor, const Uuid& id, const RequestMeta& meta);
  // A new queued job with the same sources, rules and thresholds.
  Result<store::Job> rerun(const security::Actor& actor, const Uuid& id, const RequestMeta& meta);
  // kConflict while the job is queued or running.
  Status remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta);

  Result<ResultPage> results(const security::Actor& actor, const Uuid& job_id, const store::ResultFilter& filter,
                             const std::optional<store::ResultCursor>& after, int limit);
  // The result and its job (for rendering the explanation).
  Result<std::pair<ResultView, store::Job>> result(const security::Actor& actor, const Uuid& id);
  Result<boost::json::object> summary(const security::Actor& actor, const Uuid& job_id);

  // For exports: the job, checked against the actor, then pages read with read_results_page (no
  // authorization of their own: call after export_job succeeded).
  Result<store::Job> export_job(const security::Actor& actor, const Uuid& job_id) { return get(actor, job_id); }
  Result<std::vector<ResultView>> read_results_page(const Uuid& job_id, const store::ResultFilter& filter,
                                                    const std::optional<store::ResultCursor>& after, int limit);

 private:
  CachedReads* reads_ = nullptr;  // null: every read goes to the store
  store::Database& db_;
  std::function<void()> wake_;
};

// Loads a visible job the actor may reach, else kNotFound.
Result<store::Job> load_accessible_job(store::Connection& conn, const security::Actor& actor, const Uuid& id);

// JSON views.
boost::json::object to_json(const store::Job& job);
}  // namespace oeuvre::services
