#pragma once
// Internal: the summary of a reconciliation: counts of groups and records by kind and status, and
// per currency the totals matched, suggested and unmatched on each side with their net difference.

#include "engine/match_result.h"
#include "engine/pair_scorer.h"
#include "engine/record_table.h"

namespace oeuvre::engine {

// The summary of `result`, whose groups, unmatched records and duplicates are final.
// REQUIRES: result was produced from `left` and `right` with `scorer` (for the currency ids).
ReconcileSummary summarise(const ReconcileResult& result, const RecordTable& left,
                           const RecordTable& right, const PairScorer& scorer);

}  // namespace oeuvre::engine
