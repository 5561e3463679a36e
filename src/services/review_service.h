#pragma once
// Manual review of a job's results: confirm, reject, reopen, manual matches, unmatch, and bulk
// review (up to 1000 actions applied all-or-nothing in one transaction). A confirmed group becomes
// a project-level match (reconciliation_matches) and its records `matched`, so later jobs leave
// them out; rejecting or reopening a confirmed result, or deleting its match, reopens them.
// Reopening takes a confirmed or rejected engine result back to the status the engine gave it.
// Every status change is `UPDATE ... WHERE version = <read version>`: of two reviewers acting on
// one result one wins, the other gets kConflict (409), never a lost update. Every action is audited
// in its transaction. Thread-safety: safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/policy.h"
#include "services/cached_reads.h"
#include "services/request_meta.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::services {

struct ReviewAction {
  std::string action;                   // confirm | reject | reopen | match | unmatch
  std::optional<Uuid> result_id;        // confirm, reject, reopen
  std::optional<std::int64_t> version;  // confirm, reject, reopen: 409 unless the result has it
  std::vector<Uuid> left_record_ids;    // match
  std::vector<Uuid> right_record_ids;   // match
  std::optional<Uuid> match_id;         // unmatch
  std::optional<std::string> note;      // audited
};

struct ReviewOutcome {
  std::string action;
  std::optional<Uuid> result_id;
  std::optional<Uuid> match_id;
  std::string status;  // the result's status afterwards ("deleted" for an undone manual match)
};

inline constexpr std::size_t kMaxReviewActions = 1000;
inline constexpr std::size_t kMaxManualMatchSide = 6;

// The status the engine gave a group of a job with this confidence threshold: matched when it
// scored at least the threshold and was not held (`held` empty), else suggested — what a reopened
// result goes back to. REQUIRES: an engine group (not an unmatched record, not a manual match).
ResultStatus engine_status(double confidence, std::string_view held, double confidence_threshold);

class ReviewService {
 public:
  ReviewService(store::Database& db, CachedReads& reads) : db_(db), reads_(reads) {}

  // One action in its own transaction. confirm/reject/reopen name a result, match a job (job_id),
  // unmatch a match. kNotFound for objects the actor may not reach; kConflict for a stale version
  // or a status that does not allow the action; kValidation (field errors) for a bad manual match.
  Result<ReviewOutcome> apply(const security::Actor& actor, const std::optional<Uuid>& job_id,
                              const ReviewAction& action, const RequestMeta& meta);
  // Every action, in order, in one transaction; results and matches must belong to `job_id`. The
  // first failure is returned with its fields prefixed by "actions[i]" and nothing is applied.
  Result<std::vector<ReviewOutcome>> apply_all(const security::Actor& actor, const Uuid& job_id,
                                               const std::vector<ReviewAction>& actions,
                                               const RequestMeta& meta);

 private:
  store::Database& db_;
  CachedReads& reads_;  // a decision changes the project's statistics
};

}  // namespace oeuvre::services
