// Group search: 1:N groups (one left target, several right parts) and N:1 groups. In rounds, every
// open target proposes its best group: parts that share words with it (rare words count more, found
// through a WordIndex of the open parts), lie in its date window (for N:1, the instalments of one
// right record, also up to the rules' partial_window_days after it), have the right sign and
// resemble it in text, combined by bounded subset sum to the target's amount (exactly, or within
// the amount rule's tolerance_minor). When more parts are found than the subset search takes, the
// ones in an exact sum of two or three anchored by a rare shared word (an invoice number) go
// first. Proposals are accepted best first; a target that lost a part to a better group proposes
// again in the next round.

#include <algorithm>
#include <cstdlib>
#include <span>
#include <string_view>
#include <utility>

#include "engine/exact_sums.h"
#include "engine/group_search_state.h"
#include "engine/parallel_for.h"
#include "engine/reconciliation.h"
#include "engine/subset_search.h"
#include "engine/word_index.h"

namespace oeuvre::engine {
namespace {

// Parts offered to the subset-sum search per group target.
constexpr std::size_t kMaxGroupParts = 16;
// Words this common in a date window do not rank group parts.
constexpr std::size_t kMaxWordPostings = 256;
// Postings examined per group target (rarest words first).
constexpr std::size_t kWordPostingBudget = 768;
// Words up to this common still add weight to parts found by rarer words (tested on the part's word
// sketch, not by scanning their postings).
constexpr std::size_t kMaxCommonWordPostings = 4096;
// Amounts beyond this are never grouped (keeps subset sums far from overflow).
constexpr std::int64_t kMaxGroupAmount = std::int64_t{1} << 50;
// A group part must resemble its target this much (weighted mean of the text rules).
constexpr double kMinPartTextEvidence = 0.5;
// What a doubtful part (one with an open pair of its own) takes off a subset's score, so that of
// subsets alike the one with fewer goes first; small beside any real difference of evidence.
constexpr double kDoubtfulPart = 1e-3;
// Proposal rounds per group search.
constexpr int kGroupRounds = 4;

// Candidate parts looked at for exact sums before the best kMaxGroupParts are kept.
constexpr std::size_t kMaxSumCandidates = 256;
// Beyond those, candidates that may only complete an anchored exact sum (found through a common
// word).
constexpr std::size_t kMaxCompletionCandidates = 4096;
// Candidates at most for a pair without an anchor (CompletionSearch::lone_pair): 256 records make
// 32,640 pairs, and with more a pair meeting a total to the cent is expected by chance.
constexpr std::size_t kMaxLonePairPool = 256;
}  // namespace

double late_instalment_date_score(std::int32_t days_after, int window, int after) {
  const double beyond =
      static_cast<double>(days_after - window) / static_cast<double>(std::max(1, after - window));
  return 0.5 - 0.25 * std::clamp(beyond, 0.0, 1.0);
}

void Reconciliation::find_groups(bool targets_are_left, bool exact_sums) {
  const bool parts_left = !targets_are_left;
  const std::size_t part_count = parts_left ? left_.size() : right_.size();
  const std::size_t target_count = targets_are_left ? left_.size() : right_.size();
  auto used = [&](bool left_side, std::uint32_t i) {
    return (left_side ? left_used_ : right_used_)[i] != 0;
  };
  note_open_rivals();
  // Word postings of the parts still unmatched, gathered in parallel.
  std::vector<std::vector<WordPosting>> gathered(parallel_workers(part_count, options_.threads));
  parallel_for(part_count, options_.threads,
               [&](std::size_t begin, std::size_t end, std::size_t worker) {
                 std::vector<std::string_view> words;
                 auto& out = gathered[worker];
                 for (std::size_t i = begin; i < end; ++i) {
                   const auto p = static_cast<std::uint32_t>(i);
                   if (used(parts_left, p)) continue;
                   const std::int64_t a = amount_of(parts_left, p);
                   if (a == 0 || a >= kMaxGroupAmount || a <= -kMaxGroupAmount) continue;
                   scorer_.words(parts_left, p, words);
                   std::sort(words.begin(), words.end());
                   words.erase(std::unique(words.begin(), words.end()), words.end());
                   const std::int32_t d = date_of(parts_left, p);
                   const std::int32_t c = scorer_.currency(parts_left, p);
                   for (std::string_view w : words) out.push_back({hash_of(w), a, d, p, c});
                 }
               });
  std::vector<WordPosting> postings;
  for (const auto& part : gathered) postings.insert(postings.end(), part.begin(), part.end());
  const WordIndex index(std::move(postings), options_.threads);
  if (index.empty()) return;

  std::vector<std::uint32_t> open;
  for (std::uint32_t t = 0; t < target_count; ++t) {
    if (!used(targets_are_left, t)) open.push_back(t);
  }
  // Every open target proposes its best group; targets that lost a part to a better group try
  // again.
  propose_in_rounds<GroupProposal, GroupSearchScratch>(
      std::move(open), kGroupRounds, options_.threads,
      [&](std::uint32_t target, GroupSearchScratch& scratch, GroupProposal& proposal) {
        return propose_group(target, targets_are_left, exact_sums, index, scratch, proposal);
      },
      [&](GroupProposal& g) {
        bool free = !used(targets_are_left, g.item);
        for (std::uint32_t p : g.parts) free = free && !used(parts_left, p);
        if (!free) return used(targets_are_left, g.item) ? Offer::kDropped : Offer::kRetry;
        const std::vector<std::uint32_t> single{g.item};
        if (targets_are_left) {
          add_group(single, g.parts, GroupKind::kOneToMany, g.confidence, g.scores);
        } else {
          add_group(g.parts, single, GroupKind::kManyToOne, g.confidence, g.scores);
        }
        if (!g.runner_up_parts.empty()) {
          const std::size_t group = result_.groups.size() - 1;
          if (targets_are_left) {
            add_candidate_alternative(group, single, g.runner_up_parts, g.runner_up_confidence,
                                      g.runner_up_support, g.completion_ambiguous);
          } else {
            add_candidate_alternative(group, g.runner_up_parts, single, g.runner_up_confidence,
                                      g.runner_up_support, g.completion_ambiguous);
          }
        } else if (g.completion_ambiguous &&
                   result_.groups.back().status == MatchStatus::kMatched) {
          result_.groups.back().status = MatchStatus::kSuggested;
          result_.groups.back().held = HoldReason::kAmbiguous;
        }
        if (g.sum_only && result_.groups.back().status == MatchStatus::kMatched) {
          result_.groups.back().status = MatchStatus::kSuggested;
          result_.groups.back().held = HoldReason::kSumOnly;
        }
        const std::size_t group = result_.groups.size() - 1;
        for (const GroupProposal::Doubt& d : g.doubts) {
          // The rival pair must still be open for the doubt to stand.
          if (used(!parts_left, d.rival)) continue;
          std::vector<FieldScore> rival_scores(scorer_.rule_count());
          const std::uint32_t l = parts_left ? d.part : d.rival;
          const std::uint32_t r = parts_left ? d.rival : d.part;
          const double confidence = scorer_.score_pair(l, r, rival_scores.data());
          const std::span<const std::uint32_t> lefts(&l, 1), rights(&r, 1);
          add_candidate_alternative(group, lefts, rights, confidence,
                                    support_of(rival_scores.data()), true);
        }
        return Offer::kTaken;
      });
}

void Reconciliation::note_open_rivals() {
  left_rival_.assign(left_.size(), OpenRival{});
  right_rival_.assign(right_.size(), OpenRival{});
  for (const WeightedEdge& e : review_edges_) {
    if (left_used_[e.left] || right_used_[e.right]) continue;
    OpenRival& l = left_rival_[e.left];
    if (l.partner == UINT32_MAX || e.score > l.score) l = {e.right, e.score};
    OpenRival& r = right_rival_[e.right];
    if (r.partner == UINT32_MAX || e.score > r.score) r = {e.left, e.score};
  }
}

bool Reconciliation::propose_group(std::uint32_t t, bool targets_are_left, bool exact_sums,
                                   const WordIndex& index, GroupSearchScratch& scratch,
                                   GroupProposal& proposal) const {
  const bool parts_left = !targets_are_left;
  auto used = [&](bool left_side, std::uint32_t i) {
    return (left_side ? left_used_ : right_used_)[i] != 0;
  };
  const SignMode sign = scorer_.amount_sign();
  const std::size_t rules = scorer_.rule_count();
  const std::int64_t tolerance = scorer_.group_tolerance();
  auto& words = scratch.words;
  auto& found = scratch.found;
  auto& found_weight = scratch.found_weight;
  auto& shared = scratch.shared;
  auto& pair_similarities = scratch.pair_similarities;
  std::vector<FieldScore> scores(rules);
  {
    const std::int64_t target_amount = amount_of(targets_are_left, t);
    if (target_amount == 0 || target_amount >= kMaxGroupAmount || target_amount <= -kMaxGroupAmount)
      return false;
    const std::int32_t target_date = date_of(targets_are_left, t);
    if (scorer_.date_required() && target_date == kNoDate) return false;
    const std::int32_t currency = scorer_.currency(targets_are_left, t);
    const std::int64_t target_magnitude = std::llabs(target_amount);

    scorer_.words(targets_are_left, t, words);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    found.clear();
    found_weight.clear();
    scratch.completion.completing.clear();
    scratch.completion.ambiguous_anchors.clear();
    const bool windowed = scorer_.date_required() && target_date != kNoDate;
    const int window = scorer_.date_window();
    // N:1 (the instalments of one right record): parts may also lie up to partial_window_days
    // after the target.
    const int after = !targets_are_left && target_date != kNoDate && scorer_.date_rule() >= 0
                          ? std::max(window, rules_.partial_window_days)
                          : window;
    const auto part_in_window = [&](std::int32_t part_date) {
      if (scorer_.date_in_window(target_date, part_date)) return true;
      return after > window && part_date != kNoDate && part_date > target_date &&
             part_date - target_date <= after;
    };
    // Rarest words first, within a budget of postings per target: the rare words find the parts,
    // the common ones only add weight while the budget lasts.
    auto& lists = scratch.word_postings;
    lists.clear();
    auto& common_words = scratch.common_words;  // (sketch mask, weight) of the common words
    common_words.clear();
    // The postings of the common words (a customer's name in dense data): the parts that
    // complete an anchored exact sum are often found only through them.
    auto& common_lists = scratch.common_lists;
    common_lists.clear();
    for (std::string_view w : words) {
      // Only the postings in the target's date window (the date filter below stays exact).
      const std::int32_t from = windowed ? target_date - window : INT32_MIN;
      const std::int32_t to = windowed ? target_date + after : INT32_MAX;
      const std::uint64_t h = hash_of(w);
      const std::span<const WordPosting> window_postings = index.find(h, from, to);
      if (window_postings.empty()) continue;
      if (window_postings.size() <= kMaxWordPostings) {
        lists.push_back(window_postings);
      } else if (window_postings.size() <= kMaxCommonWordPostings) {
        const std::uint64_t mask =
            (std::uint64_t{1} << (h & 63)) | (std::uint64_t{1} << ((h >> 6) & 63));
        common_words.push_back({mask, 1.0 / static_cast<double>(window_postings.size())});
        common_lists.push_back(window_postings);
      }
    }
    // Shortest posting lists (rarest words) first; by address among equals, for one order.
    const auto rarest_first = [](const std::span<const WordPosting>& a,
                                 const std::span<const WordPosting>& b) {
      return a.size() != b.size() ? a.size() < b.size() : a.data() < b.data();
    };
    std::sort(lists.begin(), lists.end(), rarest_first);
    // A posting that may be a part: open, same currency, the sign the rules ask for, not larger
    // than the target, in its date window.
    // What the posting carries is checked first; whether the part is used, a read at random, last.
    auto admissible = [&](const WordPosting& posting) {
      if (posting.currency != currency) return false;
      const std::int64_t a = posting.amount;
      const bool same_sign = (a > 0) == (target_amount > 0);
      if (sign == SignMode::kSame && !same_sign) return false;
      if (sign == SignMode::kOpposite && same_sign) return false;
      if (std::llabs(a) > target_magnitude + tolerance) return false;
      if (scorer_.date_rule() >= 0 && scorer_.date_required() && !part_in_window(posting.date))
        return false;
      return !used(parts_left, posting.index);
    };
    std::size_t budget = kWordPostingBudget;
    bool anchored_by_word = false;
    bool lone_pair = false;  // the parts are CompletionSearch::lone_pair's
    for (const std::span<const WordPosting>& window_postings : lists) {
      const std::size_t count = window_postings.size();
      if (count > budget) break;
      budget -= count;
      // Rare words say more: each shared word adds 1 / (records holding it in the window).
      const double weight = 1.0 / static_cast<double>(count);
      for (const WordPosting& posting : window_postings) {
        if (!admissible(posting)) continue;
        found.push_back(posting.index);
        found_weight.push_back(weight);
        anchored_by_word = anchored_by_word || weight >= kMinAnchorWeight;
      }
    }
    // An anchored exact sum (a payment quoting one of its invoices, an instalment quoting its
    // invoice) whose other parts share only the customer's name: those parts are among the
    // postings of the common words, which found nothing above. Only the ones completing an exact
    // sum of two or three with an anchor join the parts found, weighing what their common words
    // add (then mark_exact_sums brings that sum forward).
    if (exact_sums && anchored_by_word) {
      CompletionSearch& completion = scratch.completion;
      completion.start(parts_left ? left_.size() : right_.size());
      for (std::size_t k = 0; k < found.size(); ++k) {
        if (found_weight[k] >= kMinAnchorWeight)
          completion.anchors.push_back({std::llabs(amount_of(parts_left, found[k])), found[k]});
      }
      // No completion is larger than the largest rest.
      std::int64_t largest_rest = 0;
      for (const auto& [m, anchor] : completion.anchors)
        largest_rest = std::max(largest_rest, target_magnitude - m);
      // The candidates: the parts found (another anchor too: a payment quoting two of its three
      // invoices), and the admissible postings of the common words (rarest first,
      // kMaxCompletionCandidates at most), each record once.
      for (std::size_t k = 0; k < found.size(); ++k) {
        if (!completion.take(found[k])) continue;
        const std::int64_t m = std::llabs(amount_of(parts_left, found[k]));
        if (m <= largest_rest) completion.add(m, found[k]);
      }
      std::sort(common_lists.begin(), common_lists.end(), rarest_first);
      std::size_t completion_budget = kMaxCompletionCandidates;
      for (const std::span<const WordPosting>& list : common_lists) {
        if (list.size() > completion_budget) break;
        completion_budget -= list.size();
        for (const WordPosting& posting : list) {
          const std::int64_t m = std::llabs(posting.amount);
          if (m > largest_rest || !completion.take(posting.index)) continue;
          if (admissible(posting)) completion.add(m, posting.index);
        }
      }
      completion.run(target_magnitude, rules_.max_group_size);
      for (std::uint32_t p : completion.completing) {
        found.push_back(p);
        found_weight.push_back(0.0);
      }
    } else if (exact_sums && found.size() < 2 && !common_lists.empty() && after == window) {
      // No anchor, and the target's words are all common (a customer's name in dense data): the
      // customer's open records in the window are too many to try their subsets, but a payment of
      // two of them shows where exactly one pair meets its amount and no pair meets a total
      // beside it (CompletionSearch::lone_pair). That pair are the parts; the usual checks follow.
      // Only within the date rule's window: N:1's partial window reaches 30 days after the
      // invoice, where the customer's payments are several times as many (at 200k lines of the
      // dense data, the pairs found there were right 6 times in 10, against 8 in 10 within it).
      CompletionSearch& completion = scratch.completion;
      completion.start(parts_left ? left_.size() : right_.size());
      for (std::uint32_t p : found) {
        const std::int64_t m = std::llabs(amount_of(parts_left, p));
        if (completion.take(p) && m < target_magnitude) completion.add(m, p);
      }
      // The rarest common word's postings (the customer's name: its other words find the same
      // records). Among more than kMaxLonePairPool of them a pair meeting the amount is expected
      // by chance: none is looked for.
      const auto rarest = std::min_element(common_lists.begin(), common_lists.end(), rarest_first);
      for (const WordPosting& posting : *rarest) {
        const std::int64_t m = std::llabs(posting.amount);
        if (m >= target_magnitude || !completion.take(posting.index)) continue;
        if (admissible(posting)) completion.add(m, posting.index);
        if (completion.pool_size() > kMaxLonePairPool) return false;
      }
      std::uint32_t first = 0, second = 0;
      if (!completion.lone_pair(target_magnitude, first, second)) return false;
      found.assign({first, second});
      found_weight.assign({0.0, 0.0});
      lone_pair = true;
    }
    if (found.size() < 2) return false;
    shared.clear();
    {
      // Each part once, with the weights of the words it was found through summed (in the order
      // found), through a slot per part record rather than a sort.
      auto& slot = scratch.shared_slot;
      if (slot.size() < (parts_left ? left_.size() : right_.size()))
        slot.assign(parts_left ? left_.size() : right_.size(), 0);
      for (std::size_t k = 0; k < found.size(); ++k) {
        std::uint32_t& at = slot[found[k]];
        if (at == 0) {
          shared.push_back({found[k], 0.0});
          at = static_cast<std::uint32_t>(shared.size());
        }
        shared[at - 1].second += found_weight[k];
      }
      for (auto& [p, weight] : shared) {
        slot[p] = 0;
        // Common words shared too (by sketch: rarely a false positive) break ties between parts
        // found through the same rare word, e.g. "Weyland Industries" among many "Weyland ...".
        const std::uint64_t sketch = scorer_.word_sketch(parts_left, p);
        for (const auto& [mask, common_weight] : common_words) {
          if ((sketch & mask) == mask) weight += common_weight;
        }
      }
    }
    if (shared.size() < 2) return false;
    auto date_gap = [&](std::uint32_t p) {
      const std::int32_t d = date_of(parts_left, p);
      return (d == kNoDate || target_date == kNoDate) ? 0 : std::abs(d - target_date);
    };
    // The kMaxGroupParts best parts: most shared weight, then nearest date, then lowest index (a
    // total order, so the few kept are the same as after a full sort).
    auto& ranked = scratch.ranked;
    ranked.clear();
    for (const auto& [p, weight] : shared) ranked.push_back({weight, date_gap(p), p, false});
    auto better = [](const RankedPart& a, const RankedPart& b) {
      if (a.weight != b.weight) return a.weight > b.weight;
      if (a.date_gap != b.date_gap) return a.date_gap < b.date_gap;
      return a.part < b.part;
    };
    const bool anchored = std::any_of(ranked.begin(), ranked.end(), [](const RankedPart& r) {
      return r.weight >= kMinAnchorWeight;
    });
    if (ranked.size() > kMaxGroupParts && exact_sums && anchored) {
      // More candidates than the subset search takes (a customer's many payments in a month):
      // the parts of an exact sum of two or three of the best kMaxSumCandidates, one of them an
      // anchor sharing a rare word with the target, go first, so that a late instalment is not
      // crowded out by nearer payments that fit no sum.
      const std::size_t m = std::min(ranked.size(), kMaxSumCandidates);
      // The best m first, in order (as std::partial_sort, in linear time and m log m).
      const auto cut = ranked.begin() + static_cast<std::ptrdiff_t>(m);
      if (cut != ranked.end()) std::nth_element(ranked.begin(), cut, ranked.end(), better);
      std::sort(ranked.begin(), cut, better);
      // The parts found through common words alone complete an anchored sum at most:
      // all of them stay candidates for that (mark_exact_sums is O(anchors x n log n)).
      ranked.resize(std::min(ranked.size(), m + kMaxCompletionCandidates));
      scratch.magnitudes.clear();
      for (const RankedPart& r : ranked)
        scratch.magnitudes.push_back(std::llabs(amount_of(parts_left, r.part)));
      mark_exact_sums(ranked, scratch.magnitudes, target_magnitude, rules_.max_group_size,
                      scratch.sums);
      std::stable_partition(ranked.begin(), ranked.end(),
                            [](const RankedPart& r) { return r.in_sum; });
      ranked.resize(kMaxGroupParts);
    } else if (ranked.size() > kMaxGroupParts) {
      const auto cut = ranked.begin() + kMaxGroupParts;
      std::nth_element(ranked.begin(), cut, ranked.end(), better);
      std::sort(ranked.begin(), cut, better);
      ranked.resize(kMaxGroupParts);
    } else {
      std::sort(ranked.begin(), ranked.end(), better);
    }
    shared.clear();
    for (const RankedPart& r : ranked) shared.push_back({r.part, r.weight});
    std::vector<std::int64_t> magnitudes;
    for (const auto& [p, count] : shared)
      magnitudes.push_back(std::llabs(amount_of(parts_left, p)));
    SubsetSearchLimits limits;
    limits.max_size = rules_.max_group_size;
    // With a tolerance far more subsets fit the sum; a smaller search keeps the cost bounded.
    if (!exact_sums) limits.node_budget = 5'000;
    const std::int64_t allowed = exact_sums ? 0 : tolerance;
    // Each target-part pair is compared once, and only when a subset that fits the sum needs it;
    // subsets only combine these. A part must also resemble its target in words, not only fit the
    // sum: subsets holding a part whose text rules (when any is present) average below
    // kMinPartTextEvidence are rejected.
    pair_similarities.resize(shared.size() * rules);
    auto& part_state = scratch.part_state;  // 0: not compared yet, 1: resembles, 2: does not
    part_state.assign(shared.size(), 0);
    const auto& applied = scorer_.applied_rules();
    const bool name_rule_dropped = scorer_.name_rule_dropped();
    auto compare_part = [&](std::uint32_t pos) {
      if (part_state[pos] != 0) return part_state[pos] == 1;
      FieldScore* out = &pair_similarities[pos * rules];
      const std::uint32_t p = shared[pos].first;
      if (targets_are_left) {
        scorer_.rule_similarities(t, p, out);
      } else {
        scorer_.rule_similarities(p, t, out);
      }
      // A later instalment beyond the date rule's window: its date agrees less the later it is,
      // from 0.5 at the window's end (where the date rule leaves off) to 0.25 at the last day.
      if (after > window && scorer_.date_rule() >= 0) {
        FieldScore& date = out[static_cast<std::size_t>(scorer_.date_rule())];
        const std::int32_t d = date_of(parts_left, p);
        if (date.present && date.similarity <= 0 && part_in_window(d))
          date.similarity = late_instalment_date_score(d - target_date, window, after);
      }
      double weighted = 0, weights = 0;
      for (std::size_t r = 0; r < rules; ++r) {
        const FieldRule& rule = applied[r].rule;
        if (rule.comparator == Comparator::kAmount || rule.comparator == Comparator::kDate)
          continue;
        if (!out[r].present) continue;
        weighted += rule.weight * out[r].similarity;
        weights += rule.weight;
      }
      bool resembles = weights == 0 || weighted / weights >= kMinPartTextEvidence;
      if (scorer_.model() != nullptr && weights > 0) {
        // With a model the part's own texts speak for it in bits (value frequencies included),
        // so that a record of another customer whose amount happens to complete the sum is
        // not taken. An instalment of one record (N:1) must look like its target on the whole,
        // and quote its identifier or none (one quoting another is that other's payment).
        // A payment of several records (1:N) quotes one of them, so its reference disagrees
        // with the others by nature: one text rule agreeing (the customer's name) is enough.
        const PairScorer::TextWeights bits = targets_are_left
                                                 ? scorer_.text_match_weights(t, p, out)
                                                 : scorer_.text_match_weights(p, t, out);
        // Where the rules' name rule was dropped (a bank export without a counterparty column),
        // no text rule can speak for a part: a payment's description differs from an invoice's by
        // nature (and a 1:N part's key too). The words it shares with the target, through which
        // it was found, stand for the name; an instalment quoting another invoice is still not
        // one of this invoice's.
        resembles = targets_are_left ? bits.best > 0 || name_rule_dropped
                                     : (name_rule_dropped || (resembles && bits.sum > 0)) &&
                                           !bits.key_disagrees;
      }
      part_state[pos] = resembles ? 1 : 2;
      return resembles;
    };
    std::vector<const FieldScore*> chosen_pairs;
    auto group_score = [&](std::span<const std::uint32_t> positions, FieldScore* out) {
      for (std::uint32_t pos : positions) {
        if (!compare_part(pos)) return -1.0;
      }
      chosen_pairs.clear();
      __int128 parts_sum = 0;
      for (std::uint32_t pos : positions) {
        chosen_pairs.push_back(&pair_similarities[pos * rules]);
        parts_sum += amount_of(parts_left, shared[pos].first);
      }
      const auto sum = static_cast<std::int64_t>(parts_sum);  // bounded: parts < 2^50 each
      const GroupTarget whole{targets_are_left, t};
      return targets_are_left ? scorer_.combine_group(chosen_pairs, target_amount, sum, out,
                                                      PairScorer::PartText::kMean, whole)
                              : scorer_.combine_group(chosen_pairs, sum, target_amount, out,
                                                      PairScorer::PartText::kMean, whole);
    };
    // A part found by its amount alone that has an open pair of its own (rival_of) is doubtful:
    // of two subsets that explain the target alike, the one with fewer such parts goes first.
    const auto& rivals = parts_left ? left_rival_ : right_rival_;
    auto rival_of = [&](std::uint32_t pos) -> const OpenRival* {
      if (shared[pos].second >= kMinAnchorWeight) return nullptr;
      const OpenRival& rival = rivals[shared[pos].first];
      if (rival.partner == UINT32_MAX || rival.partner == t) return nullptr;
      return &rival;
    };
    auto score_subset = [&](std::span<const std::uint32_t> positions) {
      const double c = group_score(positions, nullptr);
      if (c < rules_.review_threshold) return -1.0;
      double doubt = 0;
      for (std::uint32_t pos : positions) doubt += rival_of(pos) != nullptr ? kDoubtfulPart : 0;
      return c - doubt;
    };
    SubsetRunnerUp runner_up;
    auto best =
        best_subset_sum(magnitudes, target_magnitude, allowed, limits, score_subset, &runner_up);
    if (!best) return false;
    // The simpler explanation first: a target that one open record explains as a pair (in the
    // review band) is not explained by a group of which no part shares a rare word (an
    // identifier) with it. Among a customer's many records such a group is an exact sum found by
    // chance: the subsets tried are many, while a pair of the target's amount is one.
    const bool best_anchored = std::any_of(best->begin(), best->end(), [&](std::uint32_t pos) {
      return shared[pos].second >= kMinAnchorWeight;
    });
    const OpenRival& own = (targets_are_left ? left_rival_ : right_rival_)[t];
    if (!best_anchored && own.partner != UINT32_MAX && !used(parts_left, own.partner)) return false;
    // Nor by an exact sum that its parts would meet by chance (exact_sum_by_chance).
    if (exact_sums && exact_sum_by_chance(*best, shared, magnitudes, target_magnitude,
                                          rules_.max_group_size, scratch.chance))
      return false;
    proposal.item = t;
    proposal.confidence = group_score(*best, scores.data());
    proposal.scores = scores;
    proposal.parts.clear();
    proposal.doubts.clear();
    bool completed = false, ambiguous_anchor = false;
    for (std::uint32_t pos : *best) {
      const std::uint32_t p = shared[pos].first;
      proposal.parts.push_back(p);
      if (const OpenRival* rival = rival_of(pos))
        proposal.doubts.push_back({p, rival->partner, rival->score});
      completed = completed || std::binary_search(scratch.completion.completing.begin(),
                                                  scratch.completion.completing.end(), p);
      const auto& ambiguous = scratch.completion.ambiguous_anchors;
      ambiguous_anchor =
          ambiguous_anchor || std::find(ambiguous.begin(), ambiguous.end(), p) != ambiguous.end();
    }
    proposal.completion_ambiguous = completed && ambiguous_anchor;
    proposal.sum_only = lone_pair;
    std::sort(proposal.parts.begin(), proposal.parts.end());
    proposal.runner_up_parts.clear();
    if (!runner_up.positions.empty()) {
      std::vector<FieldScore> runner_up_scores(rules);
      proposal.runner_up_confidence = group_score(runner_up.positions, runner_up_scores.data());
      proposal.runner_up_support = support_of(runner_up_scores.data());
    }
    for (std::uint32_t pos : runner_up.positions)
      proposal.runner_up_parts.push_back(shared[pos].first);
    std::sort(proposal.runner_up_parts.begin(), proposal.runner_up_parts.end());
    return proposal.confidence >= rules_.review_threshold;
  }
}

void Reconciliation::add_group(std::vector<std::uint32_t> lefts, std::vector<std::uint32_t> rights,
                               GroupKind kind, double confidence,
                               const std::vector<FieldScore>& scores) {
  MatchGroup group;
  group.kind = kind;
  group.confidence = confidence;
  group.status =
      confidence >= rules_.confidence_threshold ? MatchStatus::kMatched : MatchStatus::kSuggested;
  group.left_begin = static_cast<std::uint32_t>(result_.members.size());
  group.left_count = static_cast<std::uint32_t>(lefts.size());
  result_.members.insert(result_.members.end(), lefts.begin(), lefts.end());
  group.right_begin = static_cast<std::uint32_t>(result_.members.size());
  group.right_count = static_cast<std::uint32_t>(rights.size());
  result_.members.insert(result_.members.end(), rights.begin(), rights.end());
  group.score_begin = static_cast<std::uint32_t>(result_.scores.size());
  group.score_count = static_cast<std::uint32_t>(scores.size());
  result_.scores.insert(result_.scores.end(), scores.begin(), scores.end());
  for (std::uint32_t l : lefts) left_used_[l] = 1;
  for (std::uint32_t r : rights) right_used_[r] = 1;
  result_.groups.push_back(group);
}

}  // namespace oeuvre::engine
