#pragma once
// The results of a job as the API shows them: a result with the records it names, keyset pages of
// results and their cursors, the API's status filter, and the JSON form of a result with its
// per-field explanation. The queries themselves are JobService's (job_service.h, defined in
// job_results.cpp): each goes through the policy module on the job's project.
// Thread-safety: value types and pure functions; a ResultRenderer is immutable once built.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "engine/match_model.h"
#include "store/database.h"
#include "store/job_repository.h"
#include "store/record_repository.h"
#include "store/result_repository.h"

namespace oeuvre::services {

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

// The records of `rows`, attached to each (one query per 1000 ids).
Result<std::vector<ResultView>> attach_records(store::Connection& conn,
                                               std::vector<store::ResultRow> rows);

// Writes the results of one job as JSON text (no document: a page of 100 results is ~2,500
// values). The job's applied rules (names, comparisons, weights and fields of each explanation
// entry) are read once, not once per result.
class ResultRenderer {
 public:
  explicit ResultRenderer(const store::Job& job);
  void write(JsonWriter& w, const ResultView& view) const;

 private:
  struct AppliedRule {
    std::string name, comparison, left_field,
        right_field;  // fields lowercase, as the engine names them
    double weight = 0;
  };
  std::vector<AppliedRule> rules_;
  // The match model the job used (its rules' "model"), or null with fixed weights.
  std::shared_ptr<const engine::MatchModel> model_;
};

}  // namespace oeuvre::services
