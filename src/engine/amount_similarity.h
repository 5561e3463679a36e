#pragma once
// Internal: amounts in minor units compared under an amount rule. The difference of two amounts
// depends on the rule's sign mode; the tolerated difference is max(tolerance_minor,
// tolerance_percent % of the larger magnitude); the similarity is 1 for equal amounts, falls
// linearly to 0.2 at the tolerance, and is 0 beyond it. Arithmetic never overflows: sums and
// differences are taken in 128 bits and saturate at the int64 limits.
// Thread-safety: pure functions.

#include <cstdint>
#include <cstdlib>

#include "engine/rules.h"

namespace oeuvre::engine {

// |v|, with INT64_MIN saturating to INT64_MAX.
inline std::int64_t magnitude(std::int64_t v) { return v == INT64_MIN ? INT64_MAX : std::llabs(v); }

// v clamped to the int64 range.
inline std::int64_t clamp128(__int128 v) {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<std::int64_t>(v);
}

// The distance between a and b (>= 0): |a - b| for kSame, |a + b| for kOpposite, ||a| - |b|| for
// kAbsolute.
std::int64_t amount_difference(SignMode sign, std::int64_t a, std::int64_t b);

// The difference `rule` tolerates between a and b.
std::int64_t amount_tolerance_for(const FieldRule& rule, std::int64_t a, std::int64_t b);

// The similarity of a and b under `rule`, in [0, 1].
double amount_similarity(const FieldRule& rule, std::int64_t a, std::int64_t b);

}  // namespace oeuvre::engine
