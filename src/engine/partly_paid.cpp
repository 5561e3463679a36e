// Invoices only partly paid (issue 17 item 3). After everything else, an open right record whose
// blocking key (an invoice number) open left records carry -- same currency, a sign the amount rule
// allows, each smaller than it, dated from the date rule's window before it to partial_window_days
// after it -- and that together pay less than it, is suggested with them as one group: 1:1 or N:1,
// held as partly_paid, its sums showing what is paid and what is open. It is a suggestion whatever
// its confidence: the shared key is the evidence, the amount (similarity 0 beyond the tolerance) is
// what a person must settle. A right record they would pay in full or more is left alone (the
// exact-sum groups had their chance; an over-payment is not a partial one).

#include <algorithm>
#include <cstdlib>

#include "engine/amount_similarity.h"
#include "engine/reconciliation.h"

namespace oeuvre::engine {

void Reconciliation::suggest_partly_paid() {
  if (scorer_.amount_rule() < 0 || scorer_.blocking_rules().empty() || rules_.max_group_size < 1)
    return;
  const SignMode sign = scorer_.amount_sign();
  const int window = scorer_.date_window();
  const int after = std::max(window, rules_.partial_window_days);
  // (right, left) for every open left record that could be a partial payment of an open right one.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> links;
  const auto& blocking = scorer_.blocking_rules();
  std::vector<std::uint32_t> partners;
  for (std::uint32_t l = 0; l < left_.size(); ++l) {
    if (left_used_[l]) continue;
    const std::int64_t paid = amount_of(true, l);
    if (paid == 0) continue;
    for (std::size_t b = 0; b < blocking.size(); ++b) {
      partners.clear();
      key_partners(l, b, partners);
      for (const std::uint32_t r : partners) {
        if (right_used_[r]) continue;
        if (scorer_.currency(true, l) != scorer_.currency(false, r)) continue;
        const std::int64_t owed = amount_of(false, r);
        const bool same_sign = (paid > 0) == (owed > 0);
        if ((sign == SignMode::kSame && !same_sign) || (sign == SignMode::kOpposite && same_sign))
          continue;
        if (std::llabs(paid) >= std::llabs(owed)) continue;
        const std::int32_t paid_on = date_of(true, l), due = date_of(false, r);
        if (paid_on != kNoDate && due != kNoDate &&
            (paid_on < due - window || paid_on > due + after)) {
          continue;
        }
        links.push_back({r, l});
      }
    }
  }
  std::sort(links.begin(), links.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    const std::int32_t da = date_of(true, a.second), db = date_of(true, b.second);
    return da != db ? da < db : a.second < b.second;
  });
  links.erase(std::unique(links.begin(), links.end()), links.end());

  const std::size_t rules = scorer_.rule_count();
  const auto& applied = scorer_.applied_rules();
  std::vector<FieldScore> pair_scores;
  for (std::size_t i = 0; i < links.size();) {
    const std::uint32_t r = links[i].first;
    std::size_t j = i;
    while (j < links.size() && links[j].first == r) ++j;
    // The payments in date order, each once, at most max_group_size of them.
    std::vector<std::uint32_t> lefts;
    __int128 paid = 0;
    for (std::size_t k = i; k < j; ++k) {
      const std::uint32_t l = links[k].second;
      if (left_used_[l] || std::find(lefts.begin(), lefts.end(), l) != lefts.end()) continue;
      lefts.push_back(l);
      paid += std::llabs(amount_of(true, l));
    }
    i = j;
    const std::int64_t owed = amount_of(false, r);
    if (lefts.empty() || static_cast<int>(lefts.size()) > rules_.max_group_size ||
        paid >= std::llabs(owed)) {
      continue;
    }
    // The explanation, rule by rule as for a group: the sums' amount similarity, the latest
    // payment's date (late instalments scored as in the group search), the texts' mean.
    pair_scores.assign(lefts.size() * rules, FieldScore{});
    for (std::size_t k = 0; k < lefts.size(); ++k)
      scorer_.rule_similarities(lefts[k], r, &pair_scores[k * rules]);
    std::vector<FieldScore> scores(rules);
    const std::int64_t paid_signed = (owed > 0) == (sign != SignMode::kOpposite)
                                         ? static_cast<std::int64_t>(paid)
                                         : -static_cast<std::int64_t>(paid);
    for (std::size_t k = 0; k < rules; ++k) {
      const FieldRule& rule = applied[k].rule;
      FieldScore& out = scores[k];
      out.rule = static_cast<std::uint16_t>(k);
      if (rule.comparator == Comparator::kAmount) {
        out.present = true;
        out.similarity = amount_similarity(rule, paid_signed, owed);
      } else {
        double total = 0, worst = 1;
        int counted = 0;
        for (std::size_t m = 0; m < lefts.size(); ++m) {
          FieldScore s = pair_scores[m * rules + k];
          if (!s.present) continue;
          if (rule.comparator == Comparator::kDate && s.similarity <= 0) {
            s.similarity = late_instalment_date_score(
                date_of(true, lefts[m]) - date_of(false, r), window, after);
          }
          total += s.similarity;
          worst = std::min(worst, s.similarity);
          ++counted;
        }
        out.present = counted > 0;
        out.similarity = !out.present ? 0 : rule.comparator == Comparator::kDate ? worst
                                                                               : total / counted;
      }
    }
    const double confidence = scorer_.confidence_of(scores.data());
    if (confidence < 0) continue;
    add_group(lefts, {r}, lefts.size() == 1 ? GroupKind::kOneToOne : GroupKind::kManyToOne,
              confidence, scores);
    MatchGroup& group = result_.groups.back();
    group.status = MatchStatus::kSuggested;
    group.held = HoldReason::kPartlyPaid;
  }
}

}  // namespace oeuvre::engine
