// Offsets within one side (rules find_offsets, offset_window_days): a payment and its return, an
// invoice and the credit note that cancels it, a charge and its refund. Two records of one side
// whose amounts cancel out exactly, whose dates lie at most offset_window_days apart and that
// agree on the text rules (the same counterparty or reference) form an `offset` group on their
// side; neither is matched to the other side, where its counterpart (the invoice a returned
// payment was for) stays open.
//
// Two passes. Before anything is matched, the offsets at or above confidence_threshold are taken
// (assigned one to one, best first), so that a returned payment is not first matched to its
// invoice. After the suggestions, the records still open form offsets from the candidates left
// (at or above review_threshold). Each offset keeps its competing reversal candidates as
// alternatives, which group_holds.cpp weighs with the other-side pairs of its records: an offset
// that another candidate comes close to (several equal payments of one customer before a return
// without a reference), or one of whose records pairs about as well with the other side, is only
// suggested. (Leaving such offsets to the second pass instead let the cross-side matching take
// the payments first: on the dense 200k data, offset recall 0.914 against 0.943.)

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <tuple>
#include <vector>

#include "engine/parallel_for.h"
#include "engine/reconciliation.h"

namespace oeuvre::engine {
namespace {

// Candidates scored per negative record: of the records of its amount within the window (at most
// kMaxOffsetScan looked at on each side of it in date order, so that a popular amount does not
// make the scan quadratic), the kMaxOffsetCandidates sharing most of its words (by word sketch),
// nearest in date first. In dense data a round amount has dozens of records a day: the nearest
// ones in date alone missed the payment a return quotes by its reference four days before.
constexpr std::size_t kMaxOffsetScan = 1024;
constexpr std::size_t kMaxOffsetCandidates = 32;

// A text rule that agrees this well (or better) is the evidence an offset needs beyond its
// amount and date: a name, or a key (blocking, exact or reference rule) that is equal or one typo
// away. A key that is present on both and further apart than a transposed digit says the two
// records are about different things.
constexpr double kAgreeing = 0.8;
constexpr double kKeyAgreeing = 0.9;
constexpr double kKeyDiffering = 0.8;

struct Keyed {
  std::int32_t currency;
  std::int64_t magnitude;
  std::int32_t date;
  std::uint32_t index;
  bool operator<(const Keyed& o) const {
    if (currency != o.currency) return currency < o.currency;
    if (magnitude != o.magnitude) return magnitude < o.magnitude;
    if (date != o.date) return date < o.date;
    return index < o.index;
  }
};

}  // namespace

bool Reconciliation::offset_evidence(const FieldScore* scores) const {
  const auto& applied = scorer_.applied_rules();
  bool agreeing = false;
  for (std::size_t k = 0; k < applied.size(); ++k) {
    const FieldRule& rule = applied[k].rule;
    if (rule.comparator == Comparator::kAmount || rule.comparator == Comparator::kDate) continue;
    if (!scores[k].present) continue;
    const bool key_rule = is_key_rule(rule);
    if (key_rule && scores[k].similarity < kKeyDiffering) return false;
    if (scores[k].similarity >= (key_rule ? kKeyAgreeing : kAgreeing)) agreeing = true;
  }
  return agreeing;
}

std::vector<Reconciliation::OffsetEdge> Reconciliation::offset_candidates(bool left_side) const {
  const auto& used = left_side ? left_used_ : right_used_;
  std::vector<Keyed> keyed;
  for (std::uint32_t i = 0; i < used.size(); ++i) {
    const std::int64_t amount = amount_of(left_side, i);
    if (used[i] || amount == 0 || amount == INT64_MIN) continue;
    keyed.push_back({scorer_.currency(left_side, i), amount < 0 ? -amount : amount,
                     date_of(left_side, i), i});
  }
  parallel_sort(keyed, options_.threads, std::less<>());
  // The negative records, each scored against the positive ones of its run (same currency and
  // magnitude) nearest in date, in parallel into one slot per negative record.
  std::vector<std::size_t> negatives;
  for (std::size_t k = 0; k < keyed.size(); ++k) {
    if (amount_of(left_side, keyed[k].index) < 0) negatives.push_back(k);
  }
  const int window = rules_.offset_window_days;
  const std::size_t rule_count = scorer_.rule_count();
  std::vector<std::vector<OffsetEdge>> found(negatives.size());
  parallel_for(negatives.size(), options_.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
    std::vector<FieldScore> scores(rule_count);
    // (shared sketch bits, days apart, position in keyed) of the candidates in the window.
    std::vector<std::tuple<int, std::int64_t, std::size_t>> nearby;
    for (std::size_t n = begin; n < end; ++n) {
      const std::size_t at = negatives[n];
      const Keyed& x = keyed[at];
      auto consider = [&](const Keyed& y) {
        if (amount_of(left_side, y.index) < 0) return;
        const double confidence =
            scorer_.score_offset(left_side, y.index, x.index, window, scores.data());
        if (confidence < rules_.review_threshold || !offset_evidence(scores.data())) return;
        found[n].push_back({y.index, x.index, confidence, offset_support(confidence, scores.data())});
      };
      auto same_run = [&](const Keyed& y) {
        return y.currency == x.currency && y.magnitude == x.magnitude;
      };
      auto near = [&](const Keyed& y) {
        return x.date == kNoDate || y.date == kNoDate ||
               std::llabs(static_cast<std::int64_t>(x.date) - y.date) <= window;
      };
      const std::uint64_t sketch = scorer_.word_sketch(left_side, x.index);
      nearby.clear();
      auto note = [&](std::size_t k) {
        const Keyed& y = keyed[k];
        if (amount_of(left_side, y.index) < 0) return;
        const int shared = std::popcount(sketch & scorer_.word_sketch(left_side, y.index));
        const std::int64_t apart = x.date == kNoDate || y.date == kNoDate
                                       ? 0
                                       : std::llabs(static_cast<std::int64_t>(x.date) - y.date);
        nearby.emplace_back(-shared, apart, k);
      };
      std::size_t seen = 0;
      for (std::size_t k = at; k-- > 0 && seen < kMaxOffsetScan; ++seen) {
        if (!same_run(keyed[k]) || !near(keyed[k])) break;
        note(k);
      }
      seen = 0;
      for (std::size_t k = at + 1; k < keyed.size() && seen < kMaxOffsetScan; ++k, ++seen) {
        if (!same_run(keyed[k]) || !near(keyed[k])) break;
        note(k);
      }
      const std::size_t kept = std::min(nearby.size(), kMaxOffsetCandidates);
      std::partial_sort(nearby.begin(), nearby.begin() + static_cast<std::ptrdiff_t>(kept),
                        nearby.end());
      for (std::size_t c = 0; c < kept; ++c) consider(keyed[std::get<2>(nearby[c])]);
    }
  });
  std::vector<OffsetEdge> edges;
  for (auto& f : found) edges.insert(edges.end(), f.begin(), f.end());
  return edges;
}

void Reconciliation::match_offsets(bool confident_only) {
  if (!rules_.find_offsets || scorer_.amount_rule() < 0) return;
  const std::size_t rule_count = scorer_.rule_count();
  for (const bool left_side : {true, false}) {
    const std::vector<OffsetEdge> candidates = offset_candidates(left_side);
    if (candidates.empty()) continue;
    // Each record's candidates, to name each offset's rivals.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> touching;  // (record, candidate)
    for (std::uint32_t c = 0; c < candidates.size(); ++c) {
      touching.emplace_back(candidates[c].positive, c);
      touching.emplace_back(candidates[c].negative, c);
    }
    std::sort(touching.begin(), touching.end());
    // The other candidates of the pair's two records.
    auto rivals_of = [&](std::uint32_t positive, std::uint32_t negative, auto&& each) {
      for (const std::uint32_t i : {positive, negative}) {
        auto at = std::lower_bound(touching.begin(), touching.end(), std::make_pair(i, 0u));
        for (; at != touching.end() && at->first == i; ++at) {
          const OffsetEdge& r = candidates[at->second];
          if (r.positive != positive || r.negative != negative) each(r);
        }
      }
    };
    // Assigned by support (the evidence over all rules), not confidence: a return quoting the
    // payment's reference is that payment's, rather than a same-day one's whose reference is
    // empty (with the rules' weights both are confident: an absent rule does not count against).
    std::vector<WeightedEdge> edges;
    for (const OffsetEdge& e : candidates) {
      if (confident_only && e.confidence < rules_.confidence_threshold) continue;
      edges.push_back({e.positive, e.negative, std::max(e.support, 1e-9)});
    }
    for (const WeightedEdge& chosen : assign_one_to_one(edges)) {
      // The earlier record first (the original), then its reversal.
      std::uint32_t first = chosen.left, second_record = chosen.right;
      const std::int32_t d1 = date_of(left_side, first), d2 = date_of(left_side, second_record);
      if (d2 < d1 || (d2 == d1 && second_record < first)) std::swap(first, second_record);
      std::vector<FieldScore> scores(rule_count);
      const double confidence =
          scorer_.score_offset(left_side, first, second_record, rules_.offset_window_days, scores.data());
      std::vector<std::uint32_t> pair = {first, second_record};
      const std::size_t group = result_.groups.size();
      if (left_side) {
        add_group(pair, {}, GroupKind::kOffset, confidence, scores);
      } else {
        add_group({}, pair, GroupKind::kOffset, confidence, scores);
      }
      // Its competing reversal candidates, for the holds to weigh.
      rivals_of(chosen.left, chosen.right, [&](const OffsetEdge& r) {
        const std::uint32_t rival[2] = {r.positive, r.negative};
        const std::span<const std::uint32_t> records(rival, 2), none;
        add_candidate_alternative(group, left_side ? records : none, left_side ? none : records,
                                  r.confidence, r.support);
      });
    }
  }
}

}  // namespace oeuvre::engine
