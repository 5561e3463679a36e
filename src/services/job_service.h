#pragma once
// Reconciliation jobs as the API sees them: create, list, read, cancel, rerun, delete; their results
// (keyset pages with the records of both sides and the per-field explanation), summary and export.
// Every call goes through the policy module on the job's project: another user's job, result or
// match answers 404. Changes are audited in their transaction. Running the jobs is JobRunner's work.
// Thread-safety: safe for concurrent use.

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/json_writer.h"
#include "engine/rules.h"
#include "security/policy.h"
#include "services/request_meta.h"
#include "store/database.h"
#include "store/job_repository.h"
#include "store/record_repository.h"
#include "store/result_repository.h"

namespace oeuvre::services {

struct NewJob {
  std::string name;
  Uuid left_data_source_id;
  Uuid right_data_source_id;
  engine::RuleSet rules;  // thresholds included; validated
  bool auto_confirm = false;
};

// A result with the records it names.
struct ResultView {
  store::ResultRow result;
  std::vector<store::Record> left;
  std::vector<store::Record> right;
};

struct ResultPage {
  store::Job job;  // the job the results belong to (for rendering them)
  std::vector<ResultView> items;
  std::optional<std::string> next_cursor;
};

// The status filter of the API: matched, suggested, unmatched, unmatched_left, unmatched_right,
// confirmed, rejected. nullopt for anything else.
std::optional<store::ResultFilter> result_status_filter(std::string_view status);
// Opaque cursor text and back (nullopt when malformed).
std::string encode_result_cursor(const store::ResultCursor& cursor);
std::optional<store::ResultCursor> decode_result_cursor(std::string_view text);

class JobService {
 public:
  // `wake` (may be empty) is called after a job is queued, so an idle worker starts at once.
  JobService(store::Database& db, std::function<void()> wake) : db_(db), wake_(std::move(wake)) {}

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
  store::Database& db_;
  std::function<void()> wake_;
};

// The records of `rows`, attached to each (one query per 1000 ids).
Result<std::vector<ResultView>> attach_records(store::Connection& conn, std::vector<store::ResultRow> rows);
// Loads a visible job the actor may reach, else kNotFound.
Result<store::Job> load_accessible_job(store::Connection& conn, const security::Actor& actor, const Uuid& id);

// JSON views.
boost::json::object to_json(const store::Job& job);

// Writes the results of one job as JSON text (no document: a page of 100 results is ~2,500
// values). The job's applied rules (names, comparisons, weights and fields of each explanation
// entry) are read once, not once per result.
class ResultRenderer {
 public:
  explicit ResultRenderer(const store::Job& job);
  void write(JsonWriter& w, const ResultView& view) const;

 private:
  struct AppliedRule {
    std::string name, comparison, left_field, right_field;  // fields lowercase, as the engine names them
    double weight = 0;
  };
  std::vector<AppliedRule> rules_;
};

}  // namespace oeuvre::services
