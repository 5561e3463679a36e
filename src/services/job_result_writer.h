#pragma once
// Writing a reconciled job's results: one row per match group and per unmatched record (COPY on
// PostgreSQL), in the order of the results indexes, and with auto_confirm the confirmed matches and
// their records' status. Also the job's applied rules as the API shows them.
//
// Thread-safety: stateless; the connection is the caller's.

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "engine/reconciler.h"
#include "services/claimed_work.h"
#include "services/job_sides.h"
#include "store/database.h"
#include "store/job_repository.h"

namespace oeuvre::services {

// Writes every result of `result` for `job` on the caller's transaction, reporting phase "writing"
// with progress from `progress_start` to 1 on `claim`. Returns how many matches were
// auto-confirmed. kUnavailable ("the job was stopped") when the claim aborts meanwhile; kConflict
// when records to auto-confirm were matched meanwhile by another job or a reviewer.
Result<std::int64_t> write_job_results(store::Connection& conn, const store::Job& job,
                                       const engine::ReconcileResult& result, const JobSides& sides,
                                       Claim& claim, double progress_start);

// [{name, comparison, weight, left_field, right_field}, ...]: the rules the engine applied, as
// JSON.
std::string applied_rules_json(const engine::ReconcileResult& result, int amount_scale);

// The job's rules to store once it completed when it learned its match model ("learn", or "auto"
// on enough records):
// the same rules with the model it used, so the job shows it and a run again reuses it; nullopt
// when the rules are kept as they are.
std::optional<std::string> rules_with_model(const engine::RuleSet& rules,
                                            const engine::ReconcileResult& result);

}  // namespace oeuvre::services
