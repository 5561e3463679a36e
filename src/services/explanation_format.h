#pragma once
// The compact explanation stored with each result, written by the job runner and read when results
// are shown: [[rule, present, similarity, contribution], ...], one entry per rule the engine
// scored, `rule` being the index into the job's applied rules, `present` 1 or 0, the numbers with 6
// significant digits (as printf's %.6g). The rule's name, comparison and weight and both sides'
// values are not stored: they are added when read, from the job's applied rules and the records.
// Thread-safety: pure functions.

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/uuid.h"
#include "engine/match_result.h"

namespace oeuvre::services {

std::string write_compact_explanation(std::span<const engine::FieldScore> scores);

struct ExplanationEntry {
  std::size_t rule = 0;  // index into the job's applied rules: the reader checks the bound
  bool present = false;
  double similarity = 0;
  double contribution = 0;
  double match_weight = 0;  // with a match model; a fifth element, written when not 0
};

// Calls `entry` for each well-formed entry of `text`, in order. Text that is not an array gives no
// entries; an entry that is not an array of four or five, or whose rule is not a whole number >= 0, is
// skipped; a number that is not a number reads as 0.
void read_compact_explanation(std::string_view text,
                              const std::function<void(const ExplanationEntry&)>& entry);

// A competing explanation of a result's records, as stored with it (ResultRow::alternatives):
// [{"left_ids": ["uuid", ...], "right_ids": [...], "confidence": 0.93}, ...], best first.
struct StoredAlternative {
  std::vector<Uuid> left_ids;
  std::vector<Uuid> right_ids;
  double confidence = 0;
};

std::string write_alternatives(std::span<const StoredAlternative> alternatives);
// The same JSON into `w` (an API result's "alternatives" value).
void write_alternatives(JsonWriter& w, std::span<const StoredAlternative> alternatives);
// The well-formed entries of `text`, in order (at most engine::kMaxAlternatives); anything else
// is skipped, so a damaged value shows no alternatives rather than failing the read.
std::vector<StoredAlternative> read_alternatives(std::string_view text);

}  // namespace oeuvre::services
