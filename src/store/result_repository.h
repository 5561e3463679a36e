#pragma once
// SQL for reconciliation results (one row per match group or unmatched record of a job) and for the
// project-level matches that confirmed results create. Results are written in bulk by the completing
// job (ResultWriter: COPY on PostgreSQL) and read in (confidence DESC, id) order by keyset, served by
// the (job_id, confidence_score DESC, id) and (job_id, status, confidence_score DESC, id) indexes.
// Runs on the caller's connection. Thread-safety: stateless.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct ResultRow {
  Uuid id;
  Uuid job_id;
  Uuid project_id;
  std::int64_t match_group = 0;
  std::string kind;  // one_to_one | one_to_many | many_to_one | offset | unmatched_left | unmatched_right
  std::vector<Uuid> left_ids;
  std::vector<Uuid> right_ids;
  double confidence = 0;
  ResultStatus status = ResultStatus::kUnmatched;
  std::string explanation = "[]";  // JSON: [[rule index, present, similarity, contribution], ...]
  std::int64_t version = 1;
  std::optional<Uuid> reviewed_by;
  std::optional<Timestamp> reviewed_at;
  Timestamp created_at;
  Timestamp updated_at;
  std::int64_t left_amount_minor = 0;
  std::int64_t right_amount_minor = 0;
  std::string currency;
  std::optional<Uuid> anchor_record_id;  // the record of an unmatched result
  std::optional<Uuid> match_id;          // the match holding a confirmed result
  // Why the engine held a group it would have matched as suggested ("amount_difference",
  // "ambiguous"; "" not held), and the competing explanations of its records, best first:
  // JSON [{"left_ids": [...], "right_ids": [...], "confidence": 0.93}, ...].
  std::string held;
  std::string alternatives = "[]";
};

struct ScopedResult {
  ResultRow result;
  Uuid project_owner_id;
};

// Filters of a results listing. `status` is a stored status; `kind` narrows unmatched results to a side.
struct ResultFilter {
  std::optional<ResultStatus> status;
  std::optional<std::string> kind;
  std::optional<double> min_confidence;
  std::optional<double> max_confidence;
};

// A keyset position: the last (confidence, id) seen.
struct ResultCursor {
  double confidence = 0;
  Uuid id;
};

// Per (status, kind, currency): how many results, their amounts and record counts.
struct ResultTotals {
  ResultStatus status = ResultStatus::kUnmatched;
  std::string kind;
  std::string currency;
  std::int64_t results = 0;
  std::int64_t left_amount_minor = 0;
  std::int64_t right_amount_minor = 0;
  std::int64_t left_records = 0;
  std::int64_t right_records = 0;
};

struct MatchLink {
  Uuid id;
  Uuid project_id;
  std::optional<Uuid> job_id;
  std::optional<Uuid> result_id;
  std::string kind;
  std::vector<Uuid> left_ids;
  std::vector<Uuid> right_ids;
  double confidence = 1;
  std::optional<Uuid> created_by;
  Timestamp created_at;
};

struct ScopedMatch {
  MatchLink match;
  Uuid project_owner_id;
};

// ["<uuid>", ...] and back (nullopt for text that is not such an array).
std::string ids_to_json(std::span<const Uuid> ids);
std::optional<std::vector<Uuid>> ids_from_json(std::string_view text);

// Streams a job's results into the store within the caller's transaction.
class ResultWriter {
 public:
  static Result<ResultWriter> open(Connection& conn);
  Status add(const ResultRow& r);
  Status finish() { return writer_->finish(); }

 private:
  explicit ResultWriter(std::unique_ptr<BulkWriter> writer) : writer_(std::move(writer)) {}
  std::unique_ptr<BulkWriter> writer_;
  std::vector<Value> row_;  // reused by every add()
  std::optional<Timestamp> formatted_created_, formatted_updated_;  // what row_[11] and row_[12] hold
};

class ResultRepository {
 public:
  // Up to `limit` results after `after`, in (confidence DESC, id) order.
  static Result<std::vector<ResultRow>> list(Connection& conn, const Uuid& job_id, const ResultFilter& filter,
                                             const std::optional<ResultCursor>& after, int limit);
  // The result when its job's project is active.
  static Result<std::optional<ScopedResult>> find_visible(Connection& conn, const Uuid& id);
  // Sets status, reviewer and match when the version is still `expected_version` (then version + 1).
  // False when another change came first.
  static Result<bool> update_review(Connection& conn, const Uuid& id, std::int64_t expected_version,
                                    ResultStatus status, const std::optional<Uuid>& reviewed_by,
                                    const std::optional<Uuid>& match_id, Timestamp now);
  // Back to an engine status (matched / suggested) when the version is still `expected_version`
  // (then version + 1): reviewer, review time and match cleared. False when another change came
  // first.
  static Result<bool> clear_review(Connection& conn, const Uuid& id, std::int64_t expected_version,
                                   ResultStatus status, Timestamp now);
  static Result<std::vector<ResultTotals>> totals(Connection& conn, const Uuid& job_id);
  // How many of a job's groups (unmatched records left out) score in each tenth of the confidence
  // scale: [0] holds [0, 0.1), …, [9] holds [0.9, 1].
  static Result<std::array<std::int64_t, 10>> confidence_bands(Connection& conn, const Uuid& job_id);
  // The unmatched results of these records in a job (at most RecordRepository::kMaxIdsPerQuery ids).
  static Result<std::vector<ResultRow>> unmatched_of(Connection& conn, const Uuid& job_id,
                                                     std::span<const Uuid> record_ids);
  static Status remove(Connection& conn, std::span<const Uuid> result_ids);

  static Status insert_match(Connection& conn, const MatchLink& match);
  // The same for many matches as one bulk load (a COPY on PostgreSQL): a job's auto-confirmed ones.
  static Status insert_matches(Connection& conn, std::span<const MatchLink> matches);
  static Result<std::optional<ScopedMatch>> find_match(Connection& conn, const Uuid& id);
  // Up to `limit` ids of the project's matches holding `record_id` on either side (oldest first).
  // Reads every match of the project: for an answer that names them, not for a hot path.
  static Result<std::vector<Uuid>> matches_holding(Connection& conn, const Uuid& project_id,
                                                   const Uuid& record_id, std::int64_t limit);
  static Status remove_match(Connection& conn, const Uuid& id);
};

}  // namespace oeuvre::store
