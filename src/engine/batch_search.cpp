// Declared batches (reconciler.h, pass 2): records of one side that share a value of the rules'
// batch_field -- a bank's batch booking split into its transaction details, a payment processor's
// payout -- are one line on their own statement. A batch whose members are all still open is
// offered to the open records of the other side whose amount is the batch's sum, to the cent and
// in its currency. Each such target is scored like a group found by its sum, except that the text
// rules take the member that resembles the target best rather than the mean (the members are
// known to belong together; one that names the target speaks for the batch). Every batch proposes
// its best target; proposals are accepted best first, and a batch that lost its target to a better
// one proposes again in the next round.

#include <algorithm>
#include <cstdlib>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/utf8.h"
#include "engine/parallel_for.h"
#include "engine/reconciliation.h"

namespace oeuvre::engine {
namespace {

// Larger batches are left to the other passes (their explanations would list thousands of values).
constexpr std::size_t kMaxBatchMembers = 1000;
// A member's amount beyond this keeps its batch out (the sum stays far from overflow).
constexpr std::int64_t kMaxMemberAmount = std::int64_t{1} << 50;
// Proposal rounds per call.
constexpr int kBatchRounds = 4;
// Targets of a batch's amount looked at per batch, nearest in date first.
constexpr std::size_t kMaxTargetSteps = 4096;

// Days between a target and a batch's date; 0 when either has none.
std::int64_t gap_of(const AmountEntry& target, std::int32_t date) {
  if (target.date == kNoDate || date == kNoDate) return 0;
  return std::llabs(static_cast<std::int64_t>(target.date) - date);
}

// The text column of `table` named `field` (ASCII case ignored), or null when it has none.
const StringColumn* batch_keys(const RecordTable& table, std::string_view field) {
  const std::string wanted = ascii_lowercase(field);
  for (const ExtraColumn& column : table.extras) {
    if (column.kind == ExtraKind::kText && ascii_lowercase(column.name) == wanted)
      return &column.text;
  }
  return nullptr;
}

struct Batch {
  std::uint32_t begin = 0, end = 0;  // its members: members[begin, end)
  std::int32_t currency = 0;
  std::int32_t date = kNoDate;  // its first member's, to rank targets by
  std::int64_t sum = 0;
};

struct BatchProposal {
  std::uint32_t item = 0;  // the batch
  std::uint32_t target = 0;
  double confidence = 0;
  std::vector<FieldScore> scores;
};

}  // namespace

void Reconciliation::match_batches(bool batches_are_left) {
  const bool targets_are_left = !batches_are_left;
  const RecordTable& side = batches_are_left ? left_ : right_;
  const StringColumn* keys = batch_keys(side, rules_.batch_field);
  if (keys == nullptr || keys->size() != side.size()) return;
  auto used = [&](bool left_side, std::uint32_t i) {
    return (left_side ? left_used_ : right_used_)[i] != 0;
  };

  // The batches: runs of members with equal keys, every member open, one currency, a sum.
  std::vector<std::uint32_t> members;
  for (std::uint32_t i = 0; i < side.size(); ++i) {
    if (!(*keys)[i].empty()) members.push_back(i);
  }
  if (members.size() < 2) return;
  std::sort(members.begin(), members.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::string_view ka = (*keys)[a], kb = (*keys)[b];
    return ka != kb ? ka < kb : a < b;
  });
  std::vector<Batch> batches;
  for (std::size_t begin = 0; begin < members.size();) {
    std::size_t end = begin + 1;
    while (end < members.size() && (*keys)[members[end]] == (*keys)[members[begin]]) ++end;
    Batch batch;
    batch.begin = static_cast<std::uint32_t>(begin);
    batch.end = static_cast<std::uint32_t>(end);
    batch.currency = scorer_.currency(batches_are_left, members[begin]);
    batch.date = date_of(batches_are_left, members[begin]);
    bool usable = end - begin >= 2 && end - begin <= kMaxBatchMembers;
    __int128 sum = 0;
    for (std::size_t k = begin; usable && k < end; ++k) {
      const std::uint32_t m = members[k];
      const std::int64_t amount = amount_of(batches_are_left, m);
      usable = !used(batches_are_left, m) && scorer_.currency(batches_are_left, m) == batch.currency &&
               amount < kMaxMemberAmount && amount > -kMaxMemberAmount;
      sum += amount;
    }
    batch.sum = static_cast<std::int64_t>(sum);  // bounded: at most 1000 members below 2^50
    if (usable && batch.sum != 0) batches.push_back(batch);
    begin = end;
  }
  if (batches.empty()) return;

  // The open targets by currency, amount and date.
  std::vector<AmountEntry> targets;
  const std::size_t target_count = targets_are_left ? left_.size() : right_.size();
  for (std::uint32_t t = 0; t < target_count; ++t) {
    if (used(targets_are_left, t)) continue;
    targets.push_back({scorer_.currency(targets_are_left, t), date_of(targets_are_left, t),
                       amount_of(targets_are_left, t), t});
  }
  std::sort(targets.begin(), targets.end(), [](const AmountEntry& a, const AmountEntry& b) {
    return std::tie(a.currency, a.amount, a.date, a.index) <
           std::tie(b.currency, b.amount, b.date, b.index);
  });

  const SignMode sign = scorer_.amount_sign();
  const std::size_t rules = scorer_.rule_count();
  const auto max_candidates = static_cast<std::size_t>(rules_.max_candidates_per_record);
  // The best target of `batch` among the open ones, nearest in date first among equals.
  // Buffers reused across the batches one worker handles.
  struct Scratch {
    std::vector<FieldScore> similarities;
    std::vector<const FieldScore*> pairs;
  };
  auto propose = [&](std::uint32_t b, Scratch& scratch, BatchProposal& proposal) {
    std::vector<FieldScore>& similarities = scratch.similarities;
    std::vector<const FieldScore*>& pairs = scratch.pairs;
    const Batch& batch = batches[b];
    std::vector<AmountEntry> candidates;
    for (const std::int64_t amount : {batch.sum, -batch.sum}) {
      if (amount == -batch.sum && sign == SignMode::kSame) continue;
      if (amount == batch.sum && sign == SignMode::kOpposite) continue;
      // The targets of this amount, by date: from the batch's date outwards, the nearest open
      // ones (a bounded walk, however many share the amount).
      const AmountEntry key{batch.currency, batch.date, amount, 0};
      const auto [first, last] = std::equal_range(
          targets.begin(), targets.end(), key, [](const AmountEntry& a, const AmountEntry& k) {
            return std::tie(a.currency, a.amount) < std::tie(k.currency, k.amount);
          });
      auto right = std::lower_bound(first, last, key, [](const AmountEntry& a, const AmountEntry& k) {
        return a.date < k.date;
      });
      auto left = right;
      std::size_t taken = 0;
      for (std::size_t steps = 0; steps < kMaxTargetSteps && taken < max_candidates; ++steps) {
        const bool has_left = left != first, has_right = right != last;
        if (!has_left && !has_right) break;
        const bool go_left =
            has_left && (!has_right || gap_of(*(left - 1), batch.date) <= gap_of(*right, batch.date));
        const AmountEntry& e = go_left ? *--left : *right++;
        if (used(targets_are_left, e.index)) continue;
        candidates.push_back(e);
        ++taken;
      }
    }
    std::sort(candidates.begin(), candidates.end(), [&](const AmountEntry& a, const AmountEntry& c) {
      return std::make_tuple(gap_of(a, batch.date), a.index) <
             std::make_tuple(gap_of(c, batch.date), c.index);
    });
    if (candidates.size() > max_candidates) candidates.resize(max_candidates);

    const std::span<const std::uint32_t> parts(members.data() + batch.begin, batch.end - batch.begin);
    std::vector<FieldScore> scores(rules);
    bool found = false;
    for (const AmountEntry& candidate : candidates) {
      const std::uint32_t t = candidate.index;
      similarities.resize(parts.size() * rules);
      pairs.clear();
      for (std::size_t k = 0; k < parts.size(); ++k) {
        FieldScore* slot = similarities.data() + k * rules;
        if (targets_are_left) {
          scorer_.rule_similarities(t, parts[k], slot);
        } else {
          scorer_.rule_similarities(parts[k], t, slot);
        }
        pairs.push_back(slot);
      }
      const double confidence =
          targets_are_left
              ? scorer_.combine_group(pairs, candidate.amount, batch.sum, scores.data(),
                                      PairScorer::PartText::kBest, {true, t})
              : scorer_.combine_group(pairs, batch.sum, candidate.amount, scores.data(),
                                      PairScorer::PartText::kBest, {false, t});
      if (confidence < rules_.review_threshold) continue;
      if (found && confidence <= proposal.confidence) continue;
      found = true;
      proposal.item = b;
      proposal.target = t;
      proposal.confidence = confidence;
      proposal.scores = scores;
    }
    return found;
  };

  std::vector<std::uint32_t> open(batches.size());
  for (std::uint32_t b = 0; b < open.size(); ++b) open[b] = b;
  propose_in_rounds<BatchProposal, Scratch>(
      std::move(open), kBatchRounds, options_.threads,
      propose,
      [&](BatchProposal& p) {
        if (used(targets_are_left, p.target)) return Offer::kRetry;
        const Batch& batch = batches[p.item];
        std::vector<std::uint32_t> parts(members.begin() + batch.begin, members.begin() + batch.end);
        const std::vector<std::uint32_t> single{p.target};
        if (targets_are_left) {
          add_group(single, std::move(parts), GroupKind::kOneToMany, p.confidence, p.scores);
        } else {
          add_group(std::move(parts), single, GroupKind::kManyToOne, p.confidence, p.scores);
        }
        return Offer::kTaken;
      });
}

}  // namespace oeuvre::engine
