#include "engine/match_result.h"

namespace oeuvre::engine {

std::string_view group_kind_name(GroupKind kind) {
  switch (kind) {
    case GroupKind::kOneToOne:
      return "1:1";
    case GroupKind::kOneToMany:
      return "1:N";
    case GroupKind::kManyToOne:
      return "N:1";
    case GroupKind::kOffset:
      return "offset";
  }
  return "1:1";
}

std::string_view match_status_name(MatchStatus status) {
  return status == MatchStatus::kMatched ? "matched" : "suggested";
}

std::string_view hold_reason_name(HoldReason reason) {
  switch (reason) {
    case HoldReason::kNone:
      return "";
    case HoldReason::kAmountDifference:
      return "amount_difference";
    case HoldReason::kAmbiguous:
      return "ambiguous";
    case HoldReason::kPartlyPaid:
      return "partly_paid";
    case HoldReason::kSumOnly:
      return "sum_only";
  }
  return "";
}

}  // namespace oeuvre::engine
