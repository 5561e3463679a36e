// The last step of a reconciliation: which groups may stay "matched" (auto-confirmed) and which
// are held as "suggested" for a person, with the competing explanations a reviewer should see.
// A group is held when
// - its sums differ by more than the rules' auto-confirm tolerance (default none: a pair within
//   the amount rule's wider tolerance is a suggestion, never an auto-confirm), or
// - some other explanation of one of its records comes within ambiguity_margin of it: another
//   pair one of its records forms (a scored edge), or the runner-up subset of its group search.
//   Explanations are weighed by their support (support_of: the evidence over all rules, so an
//   empty reference does not tie with an agreeing one), and one counts only while it is itself
//   plausible: each of its records outside the group is unmatched, held by a group that is itself
//   held (that group is no surer than a person), or held by a group whose support does not beat
//   it by the margin. So an invoice that an exact reference matched
//   elsewhere does not make every same-amount payment ambiguous, while two payments that could
//   swap their invoices are both held.
// Some rivals noted by the group search hold their group whatever the supports (while their records
// outside it are plausible as above): the open pair of a part found by its amount alone, and the
// runner-up of a sum completed by one of several records of the same amount (group_search.cpp).
// A rival that differs from the group only by a record's flagged duplicate (the same ledger line
// booked twice) is not one: the duplicate is reported as such, and which twin is "paid" is not a
// question. Every group (matched or suggested) keeps its kMaxAlternatives best competing
// explanations.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <span>

#include "engine/parallel_for.h"
#include "engine/reconciliation.h"

namespace oeuvre::engine {
namespace {

// Passes of hold_uncertain_groups at most (each after one that held more groups).
constexpr int kMaxHoldPasses = 8;

// A competing explanation found for a group: its records are slices of a members array.
struct Found {
  std::uint32_t group;
  Alternative alternative;
};

// An alternative whose records (`lefts`, then `rights`) are appended to `members`.
Alternative append_alternative(std::vector<std::uint32_t>& members,
                               std::span<const std::uint32_t> lefts,
                               std::span<const std::uint32_t> rights, double confidence) {
  Alternative a;
  a.confidence = confidence;
  a.left_begin = static_cast<std::uint32_t>(members.size());
  a.left_count = static_cast<std::uint32_t>(lefts.size());
  members.insert(members.end(), lefts.begin(), lefts.end());
  a.right_begin = static_cast<std::uint32_t>(members.size());
  a.right_count = static_cast<std::uint32_t>(rights.size());
  members.insert(members.end(), rights.begin(), rights.end());
  return a;
}

}  // namespace

void Reconciliation::add_candidate_alternative(std::size_t group,
                                               std::span<const std::uint32_t> lefts,
                                               std::span<const std::uint32_t> rights,
                                               double confidence, double support, bool holds) {
  candidate_alternatives_.push_back(
      {static_cast<std::uint32_t>(group),
       append_alternative(candidate_members_, lefts, rights, confidence), support, holds});
}

double Reconciliation::support_of(const FieldScore* scores) const {
  const auto& applied = scorer_.applied_rules();
  // With a model an empty value already adds nothing (its Bayes factor is 1): the support is
  // the match weight, the log-odds of the explanation.
  if (scorer_.model()) {
    double bits = scorer_.model_prior_weight();
    for (std::size_t k = 0; k < applied.size(); ++k) bits += scores[k].match_weight;
    return bits;
  }
  double weighted = 0, weights = 0;
  for (std::size_t k = 0; k < applied.size(); ++k) {
    weights += applied[k].rule.weight;
    if (scores[k].present) weighted += applied[k].rule.weight * scores[k].similarity;
  }
  return weights > 0 ? weighted / weights : 0;
}

double Reconciliation::offset_support(double confidence, const FieldScore* scores) const {
  if (!scorer_.model()) return support_of(scores);
  const double c = std::clamp(confidence, 1e-12, 1.0 - 1e-12);
  return std::log2(c / (1.0 - c));
}

bool Reconciliation::amount_difference_too_large(const MatchGroup& group) const {
  if (scorer_.amount_rule() < 0) return false;
  __int128 left_sum = 0, right_sum = 0;
  for (std::uint32_t l : result_.left_of(group)) left_sum += amount_of(true, l);
  for (std::uint32_t r : result_.right_of(group)) right_sum += amount_of(false, r);
  const auto magnitude = [](__int128 v) { return v < 0 ? -v : v; };
  __int128 gap = 0;
  switch (scorer_.amount_sign()) {
    case SignMode::kSame:
      gap = magnitude(left_sum - right_sum);
      break;
    case SignMode::kOpposite:
      gap = magnitude(left_sum + right_sum);
      break;
    case SignMode::kAbsolute:
      gap = magnitude(magnitude(left_sum) - magnitude(right_sum));
      break;
  }
  if (gap == 0) return false;
  const __int128 larger = std::max(magnitude(left_sum), magnitude(right_sum));
  const double by_percent =
      static_cast<double>(larger) * rules_.auto_confirm_tolerance_percent / 100.0;
  const double allowed =
      std::max(static_cast<double>(rules_.auto_confirm_tolerance_minor), by_percent);
  return static_cast<double>(gap) > allowed;
}

void Reconciliation::hold_uncertain_groups() {
  // With a model, supports are log-odds: of two explanations of which one is right, the first is
  // the right one with probability 1 / (1 + 2^-(difference)). A rival is close when that chance
  // for the group falls below 1 - ambiguity_margin.
  const double margin =
      !scorer_.model() ? rules_.ambiguity_margin
      : rules_.ambiguity_margin <= 0
          ? 0.0
          : std::log2(std::max(1.0, (1.0 - rules_.ambiguity_margin) / rules_.ambiguity_margin));
  auto& groups = result_.groups;
  std::vector<std::int32_t> left_group(left_.size(), -1), right_group(right_.size(), -1);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::uint32_t l : result_.left_of(groups[g])) left_group[l] = static_cast<std::int32_t>(g);
    for (std::uint32_t r : result_.right_of(groups[g]))
      right_group[r] = static_cast<std::int32_t>(g);
  }
  std::vector<double> support(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g)
    support[g] =
        groups[g].kind == GroupKind::kOffset
            ? offset_support(groups[g].confidence, result_.scores.data() + groups[g].score_begin)
            : support_of(result_.scores.data() + groups[g].score_begin);
  // An explanation with support `s` is plausible for group g when it comes close to g's support
  // and none of its records outside g is clearly better explained by the group holding it.
  // A group that is itself held (suggested) explains its records no better than a person will:
  // it does not make a rival implausible. Which groups are held depends on the rivals found, so
  // the rivals are weighed again after each pass that held more groups (holding only grows, so
  // this ends; kMaxHoldPasses bounds it).
  std::vector<std::uint8_t> settled(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    settled[g] = groups[g].status == MatchStatus::kMatched &&
                 !amount_difference_too_large(groups[g]);
  }
  auto close_to = [&](std::uint32_t g, double s) { return s >= support[g] - margin; };
  auto free_for = [&](std::int32_t holder, std::uint32_t g, double s) {
    return holder < 0 || static_cast<std::uint32_t>(holder) == g ||
           settled[static_cast<std::size_t>(holder)] == 0 ||
           support[static_cast<std::size_t>(holder)] < s + margin;
  };

  // The first record of a record's run of flagged duplicates (itself when it has none).
  auto twin_root = [](const std::vector<std::int64_t>& duplicate_of, std::uint32_t i) {
    std::int64_t at = i;
    while (static_cast<std::size_t>(at) < duplicate_of.size() && duplicate_of[at] >= 0)
      at = duplicate_of[at];  // always an earlier record: the walk ends
    return at;
  };
  // True when `outside` is a flagged duplicate of one of group g's records on its side.
  auto twin_of_member = [&](std::uint32_t g, bool left_side, std::uint32_t outside) {
    const auto& duplicate_of = left_side ? result_.left_duplicate_of : result_.right_duplicate_of;
    if (duplicate_of.empty()) return false;
    const std::int64_t root = twin_root(duplicate_of, outside);
    const auto members = left_side ? result_.left_of(groups[g]) : result_.right_of(groups[g]);
    for (std::uint32_t m : members) {
      if (twin_root(duplicate_of, m) == root) return true;
    }
    return false;
  };
  // Weighs one explanation of some of group g's records (`lefts` x `rights`, scoring `confidence`
  // with support `s`) and keeps it as a rival when it is close, plausible and not made of g's own
  // records and their flagged duplicates alone.
  std::vector<std::uint32_t> members;  // the kept rivals' records
  std::vector<Found> found;
  auto weigh = [&](std::uint32_t g, std::span<const std::uint32_t> lefts,
                   std::span<const std::uint32_t> rights, double confidence, double s,
                   bool holds = false) {
    if (!holds && !close_to(g, s)) return;
    const auto own = static_cast<std::int32_t>(g);
    bool twins_only = true;
    for (std::uint32_t l : lefts)
      twins_only = twins_only && (left_group[l] == own || twin_of_member(g, true, l));
    for (std::uint32_t r : rights)
      twins_only = twins_only && (right_group[r] == own || twin_of_member(g, false, r));
    if (twins_only) return;
    for (std::uint32_t l : lefts) {
      if (!free_for(left_group[l], g, s)) return;
    }
    for (std::uint32_t r : rights) {
      if (!free_for(right_group[r], g, s)) return;
    }
    found.push_back({g, append_alternative(members, lefts, rights, confidence)});
  };
  // Scored pairs one of whose records lies in a group and the other not in the same one. Their
  // support is computed only for those, in parallel, into fixed slots.
  std::vector<double> edge_support(review_edges_.size(), -1.0);
  const std::size_t rule_count = scorer_.rule_count();
  parallel_for(review_edges_.size(), options_.threads,
               [&](std::size_t begin, std::size_t end, std::size_t) {
                 std::vector<FieldScore> scores(rule_count);
                 for (std::size_t k = begin; k < end; ++k) {
                   const WeightedEdge& e = review_edges_[k];
                   if (left_group[e.left] == right_group[e.right]) continue;
                   // Every edge passed the required rules when it was scored.
                   scorer_.score_pair(e.left, e.right, scores.data());
                   edge_support[k] = support_of(scores.data());
                 }
               });
  for (int pass = 0;; ++pass) {
    members.clear();
    found.clear();
    // The runner-up subsets noted while groups formed.
    for (const CandidateAlternative& c : candidate_alternatives_) {
      const Alternative& a = c.alternative;
      weigh(c.group, std::span(candidate_members_).subspan(a.left_begin, a.left_count),
            std::span(candidate_members_).subspan(a.right_begin, a.right_count), a.confidence,
            c.support, c.holds);
    }
    for (std::size_t k = 0; k < review_edges_.size(); ++k) {
      const WeightedEdge& e = review_edges_[k];
      const std::int32_t gl = left_group[e.left], gr = right_group[e.right];
      if (gl == gr) continue;  // the group's own pair, or two open records
      const std::span<const std::uint32_t> left(&e.left, 1), right(&e.right, 1);
      if (gl >= 0) weigh(static_cast<std::uint32_t>(gl), left, right, e.score, edge_support[k]);
      if (gr >= 0) weigh(static_cast<std::uint32_t>(gr), left, right, e.score, edge_support[k]);
    }
    // The groups this pass holds that the last one took as settled.
    bool held_more = false;
    for (const Found& f : found) {
      if (settled[f.group] == 0) continue;
      settled[f.group] = 0;
      held_more = true;
    }
    if (!held_more || pass + 1 >= kMaxHoldPasses) break;
  }
  candidate_alternatives_.clear();
  candidate_members_.clear();

  // Best first within each group; the first kMaxAlternatives of each are kept.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    if (a.group != b.group) return a.group < b.group;
    if (a.alternative.confidence != b.alternative.confidence)
      return a.alternative.confidence > b.alternative.confidence;
    return a.alternative.left_begin < b.alternative.left_begin;
  });
  std::size_t next = 0;
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    MatchGroup& group = groups[g];
    group.alternative_begin = static_cast<std::uint32_t>(result_.alternatives.size());
    for (; next < found.size() && found[next].group == g; ++next) {
      if (group.alternative_count >= kMaxAlternatives) continue;
      const Alternative& a = found[next].alternative;
      result_.alternatives.push_back(append_alternative(
          result_.members, std::span(members).subspan(a.left_begin, a.left_count),
          std::span(members).subspan(a.right_begin, a.right_count), a.confidence));
      ++group.alternative_count;
    }
    if (group.status != MatchStatus::kMatched) continue;
    if (amount_difference_too_large(group)) {
      group.status = MatchStatus::kSuggested;
      group.held = HoldReason::kAmountDifference;
    } else if (group.alternative_count > 0) {
      group.status = MatchStatus::kSuggested;
      group.held = HoldReason::kAmbiguous;
    }
  }
}

}  // namespace oeuvre::engine
