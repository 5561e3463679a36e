#include "engine/amount_similarity.h"

#include <algorithm>

namespace oeuvre::engine {

std::int64_t amount_difference(SignMode sign, std::int64_t a, std::int64_t b) {
  __int128 d;
  switch (sign) {
    case SignMode::kSame:
      d = static_cast<__int128>(a) - b;
      break;
    case SignMode::kOpposite:
      d = static_cast<__int128>(a) + b;
      break;
    default:
      d = static_cast<__int128>(magnitude(a)) - magnitude(b);
      break;
  }
  if (d < 0) d = -d;
  return clamp128(d);
}

std::int64_t amount_tolerance_for(const FieldRule& rule, std::int64_t a, std::int64_t b) {
  const double larger = static_cast<double>(std::max(magnitude(a), magnitude(b)));
  const double percent = rule.tolerance_percent / 100.0 * larger;
  const auto by_percent = percent >= 9e18 ? INT64_MAX : static_cast<std::int64_t>(percent);
  return std::max(rule.tolerance_minor, by_percent);
}

double amount_similarity(const FieldRule& rule, std::int64_t a, std::int64_t b) {
  const std::int64_t diff = amount_difference(rule.sign, a, b);
  if (diff == 0) return 1.0;
  const std::int64_t tolerance = amount_tolerance_for(rule, a, b);
  if (diff > tolerance) return 0.0;
  // Within tolerance: from 1 (equal) down to 0.2 at the tolerance.
  return 1.0 - 0.8 * static_cast<double>(diff) / static_cast<double>(tolerance);
}

}  // namespace oeuvre::engine
