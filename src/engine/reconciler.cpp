#include "engine/reconciler.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <span>

#include "core/money.h"
#include "engine/assignment.h"
#include "engine/pair_scorer.h"
#include "engine/parallel_for.h"
#include "engine/subset_search.h"

namespace oeuvre::engine {
namespace {

// A blocking key shared by more records is not selective.
constexpr std::size_t kMaxBlockSize = 64;
// Entries examined per left record in one tolerance scan.
constexpr std::size_t kMaxToleranceScan = 512;
// Candidates fully scored per left record; more are ranked by word sketch first.
constexpr std::size_t kMaxScoredCandidates = 8;
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
// Proposal rounds per group search.
constexpr int kGroupRounds = 4;

struct AmountEntry {
  std::int32_t currency;
  std::int32_t date;
  std::int64_t amount;
  std::uint32_t index;
};

bool by_amount_then_date(const AmountEntry& a, const AmountEntry& b) {
  if (a.currency != b.currency) return a.currency < b.currency;
  if (a.amount != b.amount) return a.amount < b.amount;
  if (a.date != b.date) return a.date < b.date;
  return a.index < b.index;
}

bool by_date_then_amount(const AmountEntry& a, const AmountEntry& b) {
  if (a.currency != b.currency) return a.currency < b.currency;
  if (a.date != b.date) return a.date < b.date;
  if (a.amount != b.amount) return a.amount < b.amount;
  return a.index < b.index;
}

struct KeyEntry {
  std::uint64_t hash;
  std::uint32_t index;
  bool operator<(const KeyEntry& o) const {
    return hash != o.hash ? hash < o.hash : index < o.index;
  }
};

// A word of a record still open for grouping, by word hash then date. The record's amount, date
// and currency travel with it, so filtering parts reads the postings in order instead of three
// arrays at random.
struct WordPosting {
  std::uint64_t hash;
  std::int64_t amount;
  std::int32_t date;
  std::uint32_t index;
  std::int32_t currency;
  bool operator<(const WordPosting& o) const {
    if (hash != o.hash) return hash < o.hash;
    if (date != o.date) return date < o.date;
    return index < o.index;
  }
};

// Word postings sorted by (hash, date), with an open-addressing table from a word's hash to its
// run, so a lookup costs one probe instead of a binary search over millions of postings.
class WordIndex {
 public:
  WordIndex(std::vector<WordPosting> postings, int threads) : postings_(std::move(postings)) {
    parallel_sort(postings_, threads, std::less<WordPosting>());
    for (std::size_t i = 0; i < postings_.size();) {
      std::size_t j = i;
      while (j < postings_.size() && postings_[j].hash == postings_[i].hash) ++j;
      runs_.push_back(
          {postings_[i].hash, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
      i = j;
    }
    std::size_t capacity = 16;
    while (capacity < runs_.size() * 2) capacity *= 2;
    mask_ = capacity - 1;
    slots_.assign(capacity, kEmpty);
    for (std::uint32_t r = 0; r < runs_.size(); ++r) {
      std::size_t i = slot_of(runs_[r].hash);
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = r;
    }
  }

  bool empty() const { return postings_.empty(); }

  // The postings of the word with hash `hash` dated in [from, to].
  std::span<const WordPosting> find(std::uint64_t hash, std::int32_t from, std::int32_t to) const {
    for (std::size_t i = slot_of(hash); slots_[i] != kEmpty; i = (i + 1) & mask_) {
      const Run& run = runs_[slots_[i]];
      if (run.hash != hash) continue;
      auto first = postings_.begin() + run.begin, last = postings_.begin() + run.end;
      auto lo = std::lower_bound(first, last, from,
                                 [](const WordPosting& p, std::int32_t d) { return p.date < d; });
      auto hi = std::upper_bound(lo, last, to,
                                 [](std::int32_t d, const WordPosting& p) { return d < p.date; });
      return std::span<const WordPosting>(&*postings_.begin() + (lo - postings_.begin()),
                                          static_cast<std::size_t>(hi - lo));
    }
    return {};
  }

 private:
  struct Run {
    std::uint64_t hash;
    std::uint32_t begin, end;
  };
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  std::size_t slot_of(std::uint64_t hash) const {
    return static_cast<std::size_t>((hash * 0x9E3779B97F4A7C15ULL) >> 17) & mask_;
  }

  std::vector<WordPosting> postings_;
  std::vector<Run> runs_;
  std::vector<std::uint32_t> slots_;
  std::size_t mask_ = 0;
};

std::uint64_t hash_of(std::string_view s) { return std::hash<std::string_view>{}(s); }

bool better_edge(const WeightedEdge& a, const WeightedEdge& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.right < b.right;
}

class Reconciliation {
 public:
  Reconciliation(const RecordTable& left, const RecordTable& right, const RuleSet& rules,
                 const ReconcileOptions& options, PairScorer scorer)
      : left_(left), right_(right), rules_(rules), options_(options), scorer_(std::move(scorer)) {}

  Result<ReconcileResult> run();

 private:
  enum class Pass { kExactAmount, kTolerance };

  // Amounts and dates of the amount and date rules, materialised once (the hot loops read them).
  std::int64_t amount_of(bool left_side, std::uint32_t i) const {
    return (left_side ? left_amount_ : right_amount_)[i];
  }
  std::int32_t date_of(bool left_side, std::uint32_t i) const {
    return (left_side ? left_date_ : right_date_)[i];
  }

  void progress(std::string_view stage, double fraction) {
    if (options_.progress) options_.progress(stage, fraction);
  }
  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed); }
  std::vector<std::int64_t> partner_amounts(std::int64_t a) const;
  void build_indexes();
  void build_tolerance_index();
  void candidates_for(std::uint32_t l, Pass pass, std::vector<std::uint32_t>& out) const;
  std::vector<WeightedEdge> score_pass(Pass pass, const std::vector<std::uint32_t>& lefts,
                                       double stage_begin, double stage_end);
  void accept_pairs(const std::vector<WeightedEdge>& chosen);
  struct GroupProposal {
    std::uint32_t target = 0;
    std::vector<std::uint32_t> parts;
    double confidence = 0;
    std::vector<FieldScore> scores;
  };
  struct RankedPart {
    double weight;
    int date_gap;
    std::uint32_t part;
  };
  struct GroupSearchScratch {
    std::vector<RankedPart> ranked;
    std::vector<std::string_view> words;
    std::vector<std::uint32_t> found;
    std::vector<double> found_weight;
    std::vector<std::pair<std::uint32_t, double>> shared;  // (part, weight of the shared words)
    std::vector<FieldScore> pair_similarities;
    std::vector<std::uint8_t> part_state;
    std::vector<std::span<const WordPosting>> word_postings;
    std::vector<std::pair<std::uint64_t, double>> common_words;
  };
  void find_groups(bool targets_are_left, bool exact_sums);
  bool propose_group(std::uint32_t target, bool targets_are_left, bool exact_sums,
                     const WordIndex& index, GroupSearchScratch& scratch,
                     GroupProposal& proposal) const;
  void add_group(std::vector<std::uint32_t> lefts, std::vector<std::uint32_t> rights,
                 GroupKind kind, double confidence, const std::vector<FieldScore>& scores);
  void find_duplicates(bool left_side, std::vector<std::int64_t>& duplicate_of) const;
  void summarise();

  const RecordTable& left_;
  const RecordTable& right_;
  const RuleSet& rules_;
  const ReconcileOptions& options_;
  PairScorer scorer_;
  ReconcileResult result_;

  std::vector<std::uint8_t> left_used_, right_used_;
  std::vector<std::int64_t> left_amount_, right_amount_;
  std::vector<std::int32_t> left_date_, right_date_;
  std::vector<AmountEntry> by_amount_;          // all rights
  std::vector<AmountEntry> remaining_by_date_;  // unmatched rights, for the tolerance pass
  std::vector<std::vector<KeyEntry>> blocks_;   // per blocking rule, rights by key hash
  std::vector<WeightedEdge> review_edges_;      // every scored pair >= review_threshold
};

std::vector<std::int64_t> Reconciliation::partner_amounts(std::int64_t a) const {
  switch (scorer_.amount_sign()) {
    case SignMode::kSame:
      return {a};
    case SignMode::kOpposite:
      return {a == INT64_MIN ? INT64_MAX : -a};
    case SignMode::kAbsolute:
      if (a == 0) return {0};
      return {a == INT64_MIN ? INT64_MAX : -a, a};
  }
  return {a};
}

void Reconciliation::build_indexes() {
  if (scorer_.amount_rule() >= 0) {
    by_amount_.resize(right_.size());
    parallel_for(
        right_.size(), options_.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
          for (std::size_t i = begin; i < end; ++i) {
            const auto r = static_cast<std::uint32_t>(i);
            by_amount_[i] = {scorer_.currency(false, r), date_of(false, r), amount_of(false, r), r};
          }
        });
    parallel_sort(by_amount_, options_.threads, by_amount_then_date);
  }
  for (int rule : scorer_.blocking_rules()) {
    std::vector<KeyEntry> entries;
    entries.reserve(right_.size());
    for (std::uint32_t r = 0; r < right_.size(); ++r) {
      std::string_view key = scorer_.key(false, rule, r);
      if (!key.empty()) entries.push_back({hash_of(key), r});
    }
    parallel_sort(entries, options_.threads, std::less<KeyEntry>());
    blocks_.push_back(std::move(entries));
  }
}

void Reconciliation::build_tolerance_index() {
  remaining_by_date_.clear();
  if (scorer_.amount_rule() < 0) return;
  for (const AmountEntry& e : by_amount_) {
    if (!right_used_[e.index]) remaining_by_date_.push_back(e);
  }
  parallel_sort(remaining_by_date_, options_.threads, by_date_then_amount);
}

void Reconciliation::candidates_for(std::uint32_t l, Pass pass,
                                    std::vector<std::uint32_t>& out) const {
  out.clear();
  const bool use_window = scorer_.date_required();
  const std::int32_t left_date = date_of(true, l);
  const int window = scorer_.date_window();
  if (scorer_.amount_rule() >= 0) {
    const std::int32_t currency = scorer_.currency(true, l);
    const std::int64_t amount = amount_of(true, l);
    for (std::int64_t target : partner_amounts(amount)) {
      if (pass == Pass::kExactAmount) {
        // Equal amounts, and (when dated) only the date window of them.
        const bool dated = use_window && left_date != kNoDate;
        const std::int32_t from = dated ? left_date - window : INT32_MIN;
        const std::int32_t to = dated ? left_date + window : INT32_MAX;
        auto it = std::lower_bound(by_amount_.begin(), by_amount_.end(),
                                   AmountEntry{currency, from, target, 0}, by_amount_then_date);
        std::size_t scanned = 0;
        for (; it != by_amount_.end() && it->currency == currency && it->amount == target &&
               it->date <= to;
             ++it) {
          if (++scanned > kMaxToleranceScan) break;
          if (!use_window || scorer_.date_in_window(left_date, it->date)) out.push_back(it->index);
        }
      } else {
        const std::int64_t tolerance = scorer_.amount_search_tolerance(target);
        const std::int64_t low = target > INT64_MIN + tolerance ? target - tolerance : INT64_MIN;
        const std::int64_t high = target < INT64_MAX - tolerance ? target + tolerance : INT64_MAX;
        if (use_window && left_date != kNoDate) {
          std::size_t scanned = 0;
          for (std::int32_t day = left_date - window; day <= left_date + window; ++day) {
            auto it = std::lower_bound(remaining_by_date_.begin(), remaining_by_date_.end(),
                                       AmountEntry{currency, day, low, 0}, by_date_then_amount);
            for (; it != remaining_by_date_.end() && it->currency == currency && it->date == day &&
                   it->amount <= high;
                 ++it) {
              if (++scanned > kMaxToleranceScan) break;
              if (scorer_.date_in_window(left_date, it->date)) out.push_back(it->index);
            }
          }
        } else {
          auto it = std::lower_bound(by_amount_.begin(), by_amount_.end(),
                                     AmountEntry{currency, INT32_MIN, low, 0}, by_amount_then_date);
          std::size_t scanned = 0;
          for (; it != by_amount_.end() && it->currency == currency && it->amount <= high; ++it) {
            if (right_used_[it->index]) continue;
            if (++scanned > kMaxToleranceScan) break;
            out.push_back(it->index);
          }
        }
      }
    }
  }
  // With an amount rule, equal amounts find pass-1 candidates; blocking keys join in for what is
  // left (pass 2), where amounts may differ within tolerance.
  const bool use_blocking = pass == Pass::kTolerance || scorer_.amount_rule() < 0;
  const auto& blocking = scorer_.blocking_rules();
  for (std::size_t b = 0; use_blocking && b < blocking.size(); ++b) {
    std::string_view key = scorer_.key(true, blocking[b], l);
    if (key.empty()) continue;
    const std::uint64_t h = hash_of(key);
    const auto& entries = blocks_[b];
    auto first = std::lower_bound(entries.begin(), entries.end(), KeyEntry{h, 0});
    auto last = first;
    while (last != entries.end() && last->hash == h) ++last;
    if (static_cast<std::size_t>(last - first) > kMaxBlockSize) continue;
    for (auto it = first; it != last; ++it) {
      if (scorer_.key(false, blocking[b], it->index) == key) out.push_back(it->index);
    }
  }
  if (pass == Pass::kTolerance) {
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](std::uint32_t r) { return right_used_[r] != 0; }),
              out.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

std::vector<WeightedEdge> Reconciliation::score_pass(Pass pass,
                                                     const std::vector<std::uint32_t>& lefts,
                                                     double stage_begin, double stage_end) {
  const std::size_t n = lefts.size();
  const std::size_t workers = parallel_workers(n, options_.threads);
  std::vector<std::vector<WeightedEdge>> per_worker(workers);
  const auto keep = static_cast<std::size_t>(rules_.max_candidates_per_record);
  const double review = rules_.review_threshold;
  const std::string_view stage =
      pass == Pass::kExactAmount ? "matching" : "matching within tolerance";
  parallel_for(n, options_.threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
    std::vector<std::uint32_t> candidates;
    std::vector<std::pair<std::uint32_t, int>> ranked;
    std::vector<WeightedEdge> scored;
    auto& out = per_worker[worker];
    for (std::size_t k = begin; k < end; ++k) {
      if (cancelled()) break;  // run() returns at its next check
      const std::uint32_t l = lefts[k];
      candidates_for(l, pass, candidates);
      if (candidates.size() > kMaxScoredCandidates) {
        // Many records share this amount and window: score only those whose words look most alike.
        const std::uint64_t sketch = scorer_.word_sketch(true, l);
        const std::int32_t d = date_of(true, l);
        ranked.clear();
        for (std::uint32_t r : candidates) {
          const int common = __builtin_popcountll(sketch & scorer_.word_sketch(false, r));
          const std::int32_t rd = date_of(false, r);
          const int gap = (d == kNoDate || rd == kNoDate) ? 0 : std::abs(d - rd);
          ranked.push_back({r, common * 1024 - std::min(gap, 1023)});
        }
        std::partial_sort(ranked.begin(), ranked.begin() + kMaxScoredCandidates, ranked.end(),
                          [](const auto& a, const auto& b) {
                            return a.second != b.second ? a.second > b.second : a.first < b.first;
                          });
        candidates.clear();
        for (std::size_t k = 0; k < kMaxScoredCandidates; ++k)
          candidates.push_back(ranked[k].first);
      }
      scored.clear();
      for (std::uint32_t r : candidates) {
        const double s = scorer_.score_pair(l, r, nullptr);
        if (s >= review) scored.push_back({l, r, s});
      }
      if (scored.size() > keep) {
        std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep),
                          scored.end(), better_edge);
        scored.resize(keep);
      }
      out.insert(out.end(), scored.begin(), scored.end());
      if (worker == 0 && (k - begin) % 8192 == 0 && end > begin) {
        progress(stage, stage_begin + (stage_end - stage_begin) * static_cast<double>(k - begin) /
                                          static_cast<double>(end - begin));
      }
    }
  });
  std::vector<WeightedEdge> edges;
  std::size_t total = 0;
  for (const auto& w : per_worker) total += w.size();
  edges.reserve(total);
  for (auto& w : per_worker) edges.insert(edges.end(), w.begin(), w.end());
  return edges;
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

void Reconciliation::accept_pairs(const std::vector<WeightedEdge>& chosen) {
  // Explanations are recomputed for the chosen pairs only, in parallel, into fixed slots.
  const std::size_t rules = scorer_.rule_count();
  const std::size_t first_group = result_.groups.size();
  const std::size_t first_member = result_.members.size();
  const std::size_t first_score = result_.scores.size();
  result_.groups.resize(first_group + chosen.size());
  result_.members.resize(first_member + 2 * chosen.size());
  result_.scores.resize(first_score + rules * chosen.size());
  parallel_for(
      chosen.size(), options_.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t k = begin; k < end; ++k) {
          const WeightedEdge& e = chosen[k];
          MatchGroup& g = result_.groups[first_group + k];
          g.kind = GroupKind::kOneToOne;
          g.confidence =
              scorer_.score_pair(e.left, e.right, &result_.scores[first_score + k * rules]);
          g.status = g.confidence >= rules_.confidence_threshold ? MatchStatus::kMatched
                                                                 : MatchStatus::kSuggested;
          g.left_begin = static_cast<std::uint32_t>(first_member + 2 * k);
          g.left_count = 1;
          g.right_begin = g.left_begin + 1;
          g.right_count = 1;
          g.score_begin = static_cast<std::uint32_t>(first_score + k * rules);
          g.score_count = static_cast<std::uint32_t>(rules);
          result_.members[first_member + 2 * k] = e.left;
          result_.members[first_member + 2 * k + 1] = e.right;
        }
      });
  for (const WeightedEdge& e : chosen) {
    left_used_[e.left] = 1;
    right_used_[e.right] = 1;
  }
}

void Reconciliation::find_groups(bool targets_are_left, bool exact_sums) {
  const bool parts_left = !targets_are_left;
  const std::size_t part_count = parts_left ? left_.size() : right_.size();
  const std::size_t target_count = targets_are_left ? left_.size() : right_.size();
  auto used = [&](bool left_side, std::uint32_t i) {
    return (left_side ? left_used_ : right_used_)[i] != 0;
  };
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
  // Rounds: every open target proposes its best group (in parallel, nothing is taken meanwhile);
  // the proposals are accepted best first; targets that lost a part to a better group try again.
  for (int round = 0; round < kGroupRounds && !open.empty(); ++round) {
    const std::size_t workers = parallel_workers(open.size(), options_.threads);
    std::vector<std::vector<GroupProposal>> proposals(workers);
    parallel_for(
        open.size(), options_.threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
          GroupSearchScratch scratch;
          for (std::size_t k = begin; k < end; ++k) {
            GroupProposal proposal;
            if (propose_group(open[k], targets_are_left, exact_sums, index, scratch, proposal)) {
              proposals[worker].push_back(std::move(proposal));
            }
          }
        });
    std::vector<GroupProposal> all;
    for (auto& w : proposals) {
      for (auto& p : w) all.push_back(std::move(p));
    }
    std::sort(all.begin(), all.end(), [](const GroupProposal& a, const GroupProposal& b) {
      if (a.confidence != b.confidence) return a.confidence > b.confidence;
      return a.target < b.target;
    });
    std::vector<std::uint32_t> retry;
    for (GroupProposal& g : all) {
      bool free = !used(targets_are_left, g.target);
      for (std::uint32_t p : g.parts) free = free && !used(parts_left, p);
      if (!free) {
        if (!used(targets_are_left, g.target)) retry.push_back(g.target);
        continue;
      }
      const std::vector<std::uint32_t> single{g.target};
      if (targets_are_left) {
        add_group(single, g.parts, GroupKind::kOneToMany, g.confidence, g.scores);
      } else {
        add_group(g.parts, single, GroupKind::kManyToOne, g.confidence, g.scores);
      }
    }
    std::sort(retry.begin(), retry.end());
    open = std::move(retry);
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
    const bool windowed = scorer_.date_required() && target_date != kNoDate;
    const int window = scorer_.date_window();
    // Rarest words first, within a budget of postings per target: the rare words find the parts,
    // the common ones only add weight while the budget lasts.
    auto& lists = scratch.word_postings;
    lists.clear();
    auto& common_words = scratch.common_words;  // (sketch mask, weight) of the common words
    common_words.clear();
    for (std::string_view w : words) {
      // Only the postings in the target's date window (the date filter below stays exact).
      const std::int32_t from = windowed ? target_date - window : INT32_MIN;
      const std::int32_t to = windowed ? target_date + window : INT32_MAX;
      const std::uint64_t h = hash_of(w);
      const std::span<const WordPosting> window_postings = index.find(h, from, to);
      if (window_postings.empty()) continue;
      if (window_postings.size() <= kMaxWordPostings) {
        lists.push_back(window_postings);
      } else if (window_postings.size() <= kMaxCommonWordPostings) {
        const std::uint64_t mask =
            (std::uint64_t{1} << (h & 63)) | (std::uint64_t{1} << ((h >> 6) & 63));
        common_words.push_back({mask, 1.0 / static_cast<double>(window_postings.size())});
      }
    }
    std::sort(lists.begin(), lists.end(), [](const auto& a, const auto& b) {
      return a.size() != b.size() ? a.size() < b.size() : a.data() < b.data();
    });
    std::size_t budget = kWordPostingBudget;
    for (const std::span<const WordPosting>& window_postings : lists) {
      const std::size_t count = window_postings.size();
      if (count > budget) break;
      budget -= count;
      // Rare words say more: each shared word adds 1 / (records holding it in the window).
      const double weight = 1.0 / static_cast<double>(count);
      for (const WordPosting& posting : window_postings) {
        const std::uint32_t p = posting.index;
        if (posting.currency != currency || used(parts_left, p)) continue;
        const std::int64_t a = posting.amount;
        const bool same_sign = (a > 0) == (target_amount > 0);
        if (sign == SignMode::kSame && !same_sign) continue;
        if (sign == SignMode::kOpposite && same_sign) continue;
        if (std::llabs(a) > target_magnitude + tolerance) continue;
        if (scorer_.date_rule() >= 0 && scorer_.date_required() &&
            !scorer_.date_in_window(target_date, posting.date)) {
          continue;
        }
        found.push_back(p);
        found_weight.push_back(weight);
      }
    }
    if (found.size() < 2) return false;
    shared.clear();
    {
      std::vector<std::uint32_t> order(found.size());
      for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
      std::sort(order.begin(), order.end(),
                [&](std::uint32_t a, std::uint32_t b) { return found[a] < found[b]; });
      for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        double weight = 0;
        while (j < order.size() && found[order[j]] == found[order[i]])
          weight += found_weight[order[j++]];
        // Common words shared too (by sketch: rarely a false positive) break ties between parts
        // found through the same rare word, e.g. "Weyland Industries" among many "Weyland ...".
        const std::uint64_t sketch = scorer_.word_sketch(parts_left, found[order[i]]);
        for (const auto& [mask, common_weight] : common_words) {
          if ((sketch & mask) == mask) weight += common_weight;
        }
        shared.push_back({found[order[i]], weight});
        i = j;
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
    for (const auto& [p, weight] : shared) ranked.push_back({weight, date_gap(p), p});
    auto better = [](const RankedPart& a, const RankedPart& b) {
      if (a.weight != b.weight) return a.weight > b.weight;
      if (a.date_gap != b.date_gap) return a.date_gap < b.date_gap;
      return a.part < b.part;
    };
    if (ranked.size() > kMaxGroupParts) {
      std::partial_sort(ranked.begin(), ranked.begin() + kMaxGroupParts, ranked.end(), better);
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
    auto compare_part = [&](std::uint32_t pos) {
      if (part_state[pos] != 0) return part_state[pos] == 1;
      FieldScore* out = &pair_similarities[pos * rules];
      const std::uint32_t p = shared[pos].first;
      if (targets_are_left) {
        scorer_.rule_similarities(t, p, out);
      } else {
        scorer_.rule_similarities(p, t, out);
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
      const bool resembles = weights == 0 || weighted / weights >= kMinPartTextEvidence;
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
      return targets_are_left ? scorer_.combine_group(chosen_pairs, target_amount, sum, out)
                              : scorer_.combine_group(chosen_pairs, sum, target_amount, out);
    };
    auto score_subset = [&](std::span<const std::uint32_t> positions) {
      const double c = group_score(positions, nullptr);
      return c < rules_.review_threshold ? -1.0 : c;
    };
    auto best = best_subset_sum(magnitudes, target_magnitude, allowed, limits, score_subset);
    if (!best) return false;
    proposal.target = t;
    proposal.confidence = group_score(*best, scores.data());
    proposal.scores = scores;
    proposal.parts.clear();
    for (std::uint32_t pos : *best) proposal.parts.push_back(shared[pos].first);
    std::sort(proposal.parts.begin(), proposal.parts.end());
    return proposal.confidence >= rules_.review_threshold;
  }
}

void Reconciliation::find_duplicates(bool left_side,
                                     std::vector<std::int64_t>& duplicate_of) const {
  const RecordTable& table = left_side ? left_ : right_;
  const std::size_t n = table.size();
  duplicate_of.assign(n, -1);
  auto same = [&](std::size_t a, std::size_t b) {
    return table.amounts[a] == table.amounts[b] && table.dates[a] == table.dates[b] &&
           table.currencies[a] == table.currencies[b] &&
           table.references[a] == table.references[b] &&
           table.descriptions[a] == table.descriptions[b] &&
           table.counterparties[a] == table.counterparties[b];
  };
  std::vector<KeyEntry> keys(n);
  parallel_for(n, options_.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t i = begin; i < end; ++i) {
      std::uint64_t h = static_cast<std::uint64_t>(table.amounts[i]) * 0x9E3779B97F4A7C15ULL;
      h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(table.dates[i])) + 0x7F4A7C15ULL +
           (h << 6) + (h >> 2);
      h ^= hash_of(table.references[i]) + (h << 6) + (h >> 2);
      h ^= hash_of(table.descriptions[i]) + (h << 6) + (h >> 2);
      keys[i] = {h, static_cast<std::uint32_t>(i)};
    }
  });
  parallel_sort(keys, options_.threads, std::less<KeyEntry>());
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && keys[j].hash == keys[i].hash) ++j;
    for (std::size_t a = i + 1; a < j; ++a) {
      for (std::size_t b = i; b < a; ++b) {
        if (duplicate_of[keys[b].index] < 0 && same(keys[a].index, keys[b].index)) {
          duplicate_of[keys[a].index] = keys[b].index;
          break;
        }
      }
    }
    i = j;
  }
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t out;
  if (__builtin_add_overflow(a, b, &out)) return b > 0 ? INT64_MAX : INT64_MIN;
  return out;
}

void Reconciliation::summarise() {
  ReconcileSummary& s = result_.summary;
  s.left_records = left_.size();
  s.right_records = right_.size();
  const auto& codes = scorer_.currency_codes();
  std::vector<CurrencyTotals> totals(codes.size());
  for (std::size_t c = 0; c < codes.size(); ++c) totals[c].currency = codes[c];
  auto amount_of = [&](bool left_side, std::uint32_t i) -> std::int64_t {
    const RecordTable& t = left_side ? left_ : right_;
    return t.has_amount ? t.amounts[i] : 0;
  };
  for (const MatchGroup& g : result_.groups) {
    const bool matched = g.status == MatchStatus::kMatched;
    (matched ? s.matched_groups : s.suggested_groups)++;
    if (g.kind == GroupKind::kOneToOne) ++s.one_to_one;
    if (g.kind == GroupKind::kOneToMany) ++s.one_to_many;
    if (g.kind == GroupKind::kManyToOne) ++s.many_to_one;
    (matched ? s.left_matched : s.left_suggested) += g.left_count;
    (matched ? s.right_matched : s.right_suggested) += g.right_count;
    for (std::uint32_t l : result_.left_of(g)) {
      CurrencyTotals& t = totals[static_cast<std::size_t>(scorer_.currency(true, l))];
      auto& slot = matched ? t.matched_left : t.suggested_left;
      slot = saturating_add(slot, amount_of(true, l));
    }
    for (std::uint32_t r : result_.right_of(g)) {
      CurrencyTotals& t = totals[static_cast<std::size_t>(scorer_.currency(false, r))];
      auto& slot = matched ? t.matched_right : t.suggested_right;
      slot = saturating_add(slot, amount_of(false, r));
    }
  }
  for (std::uint32_t l : result_.unmatched_left) {
    CurrencyTotals& t = totals[static_cast<std::size_t>(scorer_.currency(true, l))];
    t.unmatched_left = saturating_add(t.unmatched_left, amount_of(true, l));
  }
  for (std::uint32_t r : result_.unmatched_right) {
    CurrencyTotals& t = totals[static_cast<std::size_t>(scorer_.currency(false, r))];
    t.unmatched_right = saturating_add(t.unmatched_right, amount_of(false, r));
  }
  s.left_unmatched = result_.unmatched_left.size();
  s.right_unmatched = result_.unmatched_right.size();
  for (std::int64_t d : result_.left_duplicate_of) s.left_duplicates += d >= 0;
  for (std::int64_t d : result_.right_duplicate_of) s.right_duplicates += d >= 0;
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
  s.totals = std::move(totals);
}

Result<ReconcileResult> Reconciliation::run() {
  const double confidence = rules_.confidence_threshold;
  result_.rules = scorer_.applied_rules();
  left_used_.assign(left_.size(), 0);
  right_used_.assign(right_.size(), 0);
  for (int side = 0; side < 2; ++side) {
    const bool is_left = side == 0;
    const std::size_t n = is_left ? left_.size() : right_.size();
    auto& amounts = is_left ? left_amount_ : right_amount_;
    auto& dates = is_left ? left_date_ : right_date_;
    amounts.assign(n, 0);
    dates.assign(n, kNoDate);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (scorer_.amount_rule() >= 0) amounts[i] = scorer_.amount(is_left, i);
      dates[i] = scorer_.date(is_left, i);
    }
  }
  progress("indexing", 0.10);
  if (cancelled()) return Error::Unavailable("the reconciliation was cancelled");
  build_indexes();

  // Pass 1: equal amounts and blocking keys.
  std::vector<std::uint32_t> lefts(left_.size());
  for (std::uint32_t i = 0; i < lefts.size(); ++i) lefts[i] = i;
  if (scorer_.amount_rule() >= 0) {
    // Probing the sorted index in amount order keeps its memory hot; the edges found do not depend
    // on the order (assignment sorts them).
    std::vector<std::pair<std::pair<std::int32_t, std::int64_t>, std::uint32_t>> keyed(
        lefts.size());
    for (std::uint32_t i = 0; i < lefts.size(); ++i)
      keyed[i] = {{scorer_.currency(true, i), amount_of(true, i)}, i};
    parallel_sort(keyed, options_.threads, std::less<>());
    for (std::uint32_t i = 0; i < lefts.size(); ++i) lefts[i] = keyed[i].second;
  }
  std::vector<WeightedEdge> edges = score_pass(Pass::kExactAmount, lefts, 0.15, 0.50);
  progress("assigning", 0.52);
  if (cancelled()) return Error::Unavailable("the reconciliation was cancelled");
  auto confident = [&](const std::vector<WeightedEdge>& all) {
    std::vector<WeightedEdge> out;
    for (const WeightedEdge& e : all) {
      if (e.score >= confidence && !left_used_[e.left] && !right_used_[e.right]) out.push_back(e);
    }
    return out;
  };
  accept_pairs(assign_one_to_one(confident(edges)));
  review_edges_ = std::move(edges);

  // Exact-sum groups come before amounts within tolerance: a subset that sums to the cent and
  // shares words with its target is stronger evidence than an amount a few percent off.
  const bool groups =
      rules_.find_groups && rules_.max_group_size >= 2 && scorer_.amount_rule() >= 0;
  progress("grouping", 0.58);
  if (cancelled()) return Error::Unavailable("the reconciliation was cancelled");
  if (groups) {
    find_groups(true, true);
    find_groups(false, true);
  }
  progress("matching within tolerance", 0.65);
  if (cancelled()) return Error::Unavailable("the reconciliation was cancelled");

  // Pass 2: amounts within tolerance, among the records left.
  if (scorer_.amount_rule() >= 0) {
    build_tolerance_index();
    lefts.clear();
    for (std::uint32_t i = 0; i < left_.size(); ++i) {
      if (!left_used_[i]) lefts.push_back(i);
    }
    std::vector<WeightedEdge> more = score_pass(Pass::kTolerance, lefts, 0.65, 0.80);
    accept_pairs(assign_one_to_one(confident(more)));
    review_edges_.insert(review_edges_.end(), more.begin(), more.end());
  }

  // Pass 4: exact-sum groups again, now that pass 3 has cleared the crowd of near-miss pairs that
  // hid some parts; then, when allowed, groups whose sum is off by one fee.
  progress("grouping again", 0.82);
  if (cancelled()) return Error::Unavailable("the reconciliation was cancelled");
  if (groups) {
    find_groups(true, true);
    find_groups(false, true);
    if (rules_.group_tolerance && scorer_.group_tolerance() > 0) {
      find_groups(true, false);
      find_groups(false, false);
    }
  }

  // Pass 4: suggestions from the review band.
  progress("suggesting", 0.92);
  if (cancelled()) return Error::Unavailable("the reconciliation was cancelled");
  std::vector<WeightedEdge> open;
  // A pair scored in both passes has the same score both times, so equal keys are equal edges.
  parallel_sort(review_edges_, options_.threads, [](const WeightedEdge& a, const WeightedEdge& b) {
    return a.left != b.left ? a.left < b.left : a.right < b.right;
  });
  review_edges_.erase(std::unique(review_edges_.begin(), review_edges_.end(),
                                  [](const WeightedEdge& a, const WeightedEdge& b) {
                                    return a.left == b.left && a.right == b.right;
                                  }),
                      review_edges_.end());
  for (const WeightedEdge& e : review_edges_) {
    if (!left_used_[e.left] && !right_used_[e.right]) open.push_back(e);
  }
  accept_pairs(assign_one_to_one(open));

  // Stable, readable order: by first left record, then first right record.
  // Groups are disjoint, so this order is total.
  parallel_sort(result_.groups, options_.threads, [&](const MatchGroup& a, const MatchGroup& b) {
    const std::uint32_t la = result_.members[a.left_begin], lb = result_.members[b.left_begin];
    if (la != lb) return la < lb;
    return result_.members[a.right_begin] < result_.members[b.right_begin];
  });
  for (std::uint32_t i = 0; i < left_.size(); ++i) {
    if (!left_used_[i]) result_.unmatched_left.push_back(i);
  }
  for (std::uint32_t i = 0; i < right_.size(); ++i) {
    if (!right_used_[i]) result_.unmatched_right.push_back(i);
  }
  find_duplicates(true, result_.left_duplicate_of);
  find_duplicates(false, result_.right_duplicate_of);
  summarise();
  progress("done", 1.0);
  return std::move(result_);
}

}  // namespace

std::string describe(const FieldRule& rule, int scale) {
  switch (rule.comparator) {
    case Comparator::kAmount: {
      std::string s = "amount (tolerance " + format_minor_units(rule.tolerance_minor, scale);
      if (rule.tolerance_percent > 0) {
        char percent[32];
        std::snprintf(percent, sizeof percent, " or %g%%", rule.tolerance_percent);
        s += percent;
      }
      return s + ")";
    }
    case Comparator::kDate:
      return "date (within " + std::to_string(rule.window_days) +
             (rule.business_days ? " business" : "") + " days)";
    case Comparator::kText:
      return "text (" + std::string(text_method_name(rule.method)) + ")";
    case Comparator::kExact:
      return "exact";
    case Comparator::kContains:
      return "contains";
  }
  return "";
}


Result<ReconcileResult> reconcile(const RecordTable& left, const RecordTable& right,
                                  const RuleSet& rules, const ReconcileOptions& options) {
  if (options.progress) options.progress("preparing", 0.0);
  ASSIGN_OR_RETURN(PairScorer scorer, PairScorer::create(left, right, rules, options.threads));
  Reconciliation reconciliation(left, right, rules, options, std::move(scorer));
  return reconciliation.run();
}

std::vector<Explanation> explain(const ReconcileResult& result, const MatchGroup& group,
                                 const RecordTable& left, const RecordTable& right) {
  std::vector<Explanation> out;
  for (const FieldScore& score : result.scores_of(group)) {
    const FieldRule& rule = result.rules[score.rule].rule;
    Explanation e;
    e.rule = rule.name;
    e.comparison = describe(rule, left.amount_scale);
    e.left_value = render_field_value(left, rule.left_field, result.left_of(group));
    e.right_value = render_field_value(right, rule.right_field, result.right_of(group));
    e.present = score.present;
    e.similarity = score.similarity;
    e.weight = rule.weight;
    e.contribution = score.contribution;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace oeuvre::engine
