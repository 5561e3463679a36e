#include "engine/reconcile_summary.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace oeuvre::engine {
namespace {

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t out;
  if (__builtin_add_overflow(a, b, &out)) return b > 0 ? INT64_MAX : INT64_MIN;
  return out;
}

}  // namespace

ReconcileSummary summarise(const ReconcileResult& result, const RecordTable& left,
                           const RecordTable& right, const PairScorer& scorer) {
  ReconcileSummary s;
  s.left_records = left.size();
  s.right_records = right.size();
  const auto& codes = scorer.currency_codes();
  std::vector<CurrencyTotals> totals(codes.size());
  for (std::size_t c = 0; c < codes.size(); ++c) totals[c].currency = codes[c];
  auto amount_of = [&](bool left_side, std::uint32_t i) -> std::int64_t {
    const RecordTable& t = left_side ? left : right;
    return t.has_amount ? t.amounts[i] : 0;
  };
  for (const MatchGroup& g : result.groups) {
    const bool matched = g.status == MatchStatus::kMatched;
    (matched ? s.matched_groups : s.suggested_groups)++;
    if (g.kind == GroupKind::kOneToOne) ++s.one_to_one;
    if (g.kind == GroupKind::kOneToMany) ++s.one_to_many;
    if (g.kind == GroupKind::kManyToOne) ++s.many_to_one;
    if (g.kind == GroupKind::kOffset) {
      ++s.offsets;
      s.left_offset += g.left_count;
      s.right_offset += g.right_count;
    }
    (matched ? s.left_matched : s.left_suggested) += g.left_count;
    (matched ? s.right_matched : s.right_suggested) += g.right_count;
    for (std::uint32_t l : result.left_of(g)) {
      CurrencyTotals& t = totals[static_cast<std::size_t>(scorer.currency(true, l))];
      auto& slot = matched ? t.matched_left : t.suggested_left;
      slot = saturating_add(slot, amount_of(true, l));
    }
    for (std::uint32_t r : result.right_of(g)) {
      CurrencyTotals& t = totals[static_cast<std::size_t>(scorer.currency(false, r))];
      auto& slot = matched ? t.matched_right : t.suggested_right;
      slot = saturating_add(slot, amount_of(false, r));
    }
  }
  for (std::uint32_t l : result.unmatched_left) {
    CurrencyTotals& t = totals[static_cast<std::size_t>(scorer.currency(true, l))];
    t.unmatched_left = saturating_add(t.unmatched_left, amount_of(true, l));
  }
  for (std::uint32_t r : result.unmatched_right) {
    CurrencyTotals& t = totals[static_cast<std::size_t>(scorer.currency(false, r))];
    t.unmatched_right = saturating_add(t.unmatched_right, amount_of(false, r));
  }
  s.left_unmatched = result.unmatched_left.size();
  s.right_unmatched = result.unmatched_right.size();
  for (std::int64_t d : result.left_duplicate_of) s.left_duplicates += d >= 0;
  for (std::int64_t d : result.right_duplicate_of) s.right_duplicates += d >= 0;
  for (CurrencyTotals& t : totals) {
    std::int64_t left_total =
        saturating_add(saturating_add(t.matched_left, t.suggested_left), t.unmatched_left);
    std::int64_t right_total =
        saturating_add(saturating_add(t.matched_right, t.suggested_right), t.unmatched_right);
    t.net_difference =
        saturating_add(left_total, right_total == INT64_MIN ? INT64_MAX : -right_total);
  }
  totals.erase(std::remove_if(totals.begin(), totals.end(),
                              [&](const CurrencyTotals& t) {
                                return t.currency.empty() && t.matched_left == 0 &&
                                       t.matched_right == 0 && t.suggested_left == 0 &&
                                       t.suggested_right == 0 && t.unmatched_left == 0 &&
                                       t.unmatched_right == 0 && totals.size() > 1;
                              }),
               totals.end());
  std::sort(totals.begin(), totals.end(), [](const CurrencyTotals& a, const CurrencyTotals& b) {
    return a.currency < b.currency;
  });
  // Records without amounts on either side (customer or person records) have no totals to show.
  if (left.has_amount || right.has_amount) s.totals = std::move(totals);
  return s;
}

}  // namespace oeuvre::engine
