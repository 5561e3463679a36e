#pragma once
// Internal: duplicates within one side of a reconciliation, flagged in its result.

#include <cstdint>
#include <vector>

#include "engine/record_table.h"

namespace oeuvre::engine {

// For each record of `table`: the index of an earlier record with the same amount, date, currency,
// reference, description and counterparty, or -1. Uses up to `threads` threads; the answer does not
// depend on their number.
std::vector<std::int64_t> find_duplicates(const RecordTable& table, int threads);

}  // namespace oeuvre::engine
