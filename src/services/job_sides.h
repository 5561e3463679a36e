#pragma once
// The two sides of a reconciliation job: the open records of its left and right data sources,
// streamed from the store into the engine's RecordTable (the standard fields, and the extra fields
// the rules read), each with the store id of its records.
//
// Thread-safety: load_job_sides may run concurrently for different jobs.

#include <vector>

#include "core/result.h"
#include "core/uuid.h"
#include "engine/record_table.h"
#include "engine/rules.h"
#include "services/claimed_work.h"
#include "store/database.h"
#include "store/job_repository.h"

namespace oeuvre::services {

// One side of a job: the engine's table and the store id of each of its records (same order).
struct JobSide {
  engine::RecordTable table;
  std::vector<Uuid> ids;
};

struct JobSides {
  JobSide left;
  JobSide right;
};

// Loads both sides of `job` at once, each on a session of its own (the left one on a helper
// thread), reporting phase "loading" with progress from 0 to `progress_end` on `claim`.
// kUnavailable ("the job was stopped") when the claim aborts meanwhile; the store's error when a
// read fails.
Result<JobSides> load_job_sides(store::Database& db, const store::Job& job,
                                const engine::RuleSet& rules, Claim& claim, double progress_end);

// kValidation when `rules` compare amounts (an amount rule) and a side's records have none (a data
// source of customers or people: store::Record::has_amount), naming the rule; the engine would
// otherwise drop the rule silently.
Status check_amounts_for(const JobSides& sides, const engine::RuleSet& rules);

}  // namespace oeuvre::services
