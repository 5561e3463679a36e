#include "engine/reconciler.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "engine/assignment.h"
#include "engine/pair_scorer.h"
#include "engine/parallel_for.h"
#include "engine/subset_search.h"

namespace oeuvre::engine {
namespace {

constexpr std::size_t kMaxBlockSize = 64;         // a blocking key shared by more records is not selective
constexpr std::size_t kMaxToleranceScan = 512;    // entries examined per left in one tolerance scan
constexpr std::size_t kMaxGroupParts = 16;        // parts offered to the subset-sum search per target
constexpr std::size_t kMaxWordPostings = 2000;    // words shared by more records are ignored for groups
constexpr std::int64_t kMaxGroupAmount = std::int64_t{1} << 50;

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
  bool operator<(const KeyEntry& o) const { return hash != o.hash ? hash < o.hash : index < o.index; }
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

  ReconcileResult run();

 private:
  enum class Pass { kExactAmount, kTolerance };

  void progress(std::string_view stage, double fraction) {
    if (options_.progress) options_.progress(stage, fraction);
  }
  std::vector<std::int64_t> partner_amounts(std::int64_t a) const;
  void build_indexes();
  void build_tolerance_index();
  void candidates_for(std::uint32_t l, Pass pass, std::vector<std::uint32_t>& out) const;
  std::vector<WeightedEdge> score_pass(Pass pass, const std::vector<std::uint32_t>& lefts,
                                       double stage_begin, double stage_end);
  void accept_pairs(const std::vector<WeightedEdge>& chosen);
  void find_groups(bool targets_are_left);
  void add_group(std::vector<std::uint32_t> lefts, std::vector<std::uint32_t> rights, GroupKind kind,
                 double confidence, const std::vector<FieldScore>& scores);
  void find_duplicates(bool left_side, std::vector<std::int64_t>& duplicate_of) const;
  void summarise();

  const RecordTable& left_;
  const RecordTable& right_;
  const RuleSet& rules_;
  const ReconcileOptions& options_;
  PairScorer scorer_;
  ReconcileResult result_;

  std::vector<std::uint8_t> left_used_, right_used_;
  std::vector<AmountEntry> by_amount_;           // all rights
  std::vector<AmountEntry> remaining_by_date_;   // unmatched rights, for the tolerance pass
  std::vector<std::vector<KeyEntry>> blocks_;    // per blocking rule, rights by key hash
  std::vector<WeightedEdge> review_edges_;       // every scored pair >= review_threshold
};

std::vector<std::int64_t> Reconciliation::partner_amounts(std::int64_t a) const {
  switch (scorer_.amount_sign()) {
    case SignMode::kSame: return {a};
    case SignMode::kOpposite: return {a == INT64_MIN ? INT64_MAX : -a};
    case SignMode::kAbsolute:
      if (a == 0) return {0};
      return {a == INT64_MIN ? INT64_MAX : -a, a};
  }
  return {a};
}

void Reconciliation::build_indexes() {
  if (scorer_.amount_rule() >= 0) {
    by_amount_.resize(right_.size());
    parallel_for(right_.size(), options_.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
      for (std::size_t i = begin; i < end; ++i) {
        const auto r = static_cast<std::uint32_t>(i);
        by_amount_[i] = {scorer_.currency(false, r), scorer_.date(false, r), scorer_.amount(false, r), r};
      }
    });
    std::sort(by_amount_.begin(), by_amount_.end(), by_amount_then_date);
  }
  for (int rule : scorer_.blocking_rules()) {
    std::vector<KeyEntry> entries;
    entries.reserve(right_.size());
    for (std::uint32_t r = 0; r < right_.size(); ++r) {
      std::string_view key = scorer_.key(false, rule, r);
      if (!key.empty()) entries.push_back({hash_of(key), r});
    }
    std::sort(entries.begin(), entries.end());
    blocks_.push_back(std::move(entries));
  }
}

void Reconciliation::build_tolerance_index() {
  remaining_by_date_.clear();
  if (scorer_.amount_rule() < 0) return;
  for (const AmountEntry& e : by_amount_) {
    if (!right_used_[e.index]) remaining_by_date_.push_back(e);
  }
  std::sort(remaining_by_date_.begin(), remaining_by_date_.end(), by_date_then_amount);
}

void Reconciliation::candidates_for(std::uint32_t l, Pass pass, std::vector<std::uint32_t>& out) const {
  out.clear();
  const bool use_window = scorer_.date_required();
  const std::int32_t left_date = scorer_.date(true, l);
  const int window = scorer_.date_window();
  if (scorer_.amount_rule() >= 0) {
    const std::int32_t currency = scorer_.currency(true, l);
    const std::int64_t amount = scorer_.amount(true, l);
    for (std::int64_t target : partner_amounts(amount)) {
      if (pass == Pass::kExactAmount) {
        // Equal amounts, and (when dated) only the date window of them.
        const bool dated = use_window && left_date != kNoDate;
        const std::int32_t from = dated ? left_date - window : INT32_MIN;
        const std::int32_t to = dated ? left_date + window : INT32_MAX;
        auto it = std::lower_bound(by_amount_.begin(), by_amount_.end(),
                                   AmountEntry{currency, from, target, 0}, by_amount_then_date);
        std::size_t scanned = 0;
        for (; it != by_amount_.end() && it->currency == currency && it->amount == target && it->date <= to;
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
  const auto& blocking = scorer_.blocking_rules();
  for (std::size_t b = 0; b < blocking.size(); ++b) {
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
    out.erase(std::remove_if(out.begin(), out.end(), [&](std::uint32_t r) { return right_used_[r] != 0; }),
              out.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

std::vector<WeightedEdge> Reconciliation::score_pass(Pass pass, const std::vector<std::uint32_t>& lefts,
                                                     double stage_begin, double stage_end) {
  const std::size_t n = lefts.size();
  const std::size_t workers = parallel_workers(n, options_.threads);
  std::vector<std::vector<WeightedEdge>> per_worker(workers);
  const auto keep = static_cast<std::size_t>(rules_.max_candidates_per_record);
  const double review = rules_.review_threshold;
  const std::string_view stage = pass == Pass::kExactAmount ? "matching" : "matching within tolerance";
  parallel_for(n, options_.threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
    std::vector<std::uint32_t> candidates;
    std::vector<WeightedEdge> scored;
    auto& out = per_worker[worker];
    for (std::size_t k = begin; k < end; ++k) {
      const std::uint32_t l = lefts[k];
      candidates_for(l, pass, candidates);
      scored.clear();
      for (std::uint32_t r : candidates) {
        const double s = scorer_.score_pair(l, r, nullptr);
        if (s >= review) scored.push_back({l, r, s});
      }
      if (scored.size() > keep) {
        std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                          better_edge);
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
                               GroupKind kind, double confidence, const std::vector<FieldScore>& scores) {
  MatchGroup group;
  group.kind = kind;
  group.confidence = confidence;
  group.status = confidence >= rules_.confidence_threshold ? MatchStatus::kMatched : MatchStatus::kSuggested;
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
  parallel_for(chosen.size(), options_.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t k = begin; k < end; ++k) {
      const WeightedEdge& e = chosen[k];
      MatchGroup& g = result_.groups[first_group + k];
      g.kind = GroupKind::kOneToOne;
      g.confidence = scorer_.score_pair(e.left, e.right, &result_.scores[first_score + k * rules]);
      g.status = g.confidence >= rules_.confidence_threshold ? MatchStatus::kMatched : MatchStatus::kSuggested;
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

void Reconciliation::find_groups(bool targets_are_left) {
  const bool parts_left = !targets_are_left;
  const std::size_t part_count = parts_left ? left_.size() : right_.size();
  const std::size_t target_count = targets_are_left ? left_.size() : right_.size();
  auto used = [&](bool left_side, std::uint32_t i) {
    return (left_side ? left_used_ : right_used_)[i] != 0;
  };
  // Word postings of the parts still unmatched.
  std::vector<KeyEntry> postings;
  std::vector<std::string_view> words;
  for (std::uint32_t p = 0; p < part_count; ++p) {
    if (used(parts_left, p)) continue;
    const std::int64_t a = scorer_.amount(parts_left, p);
    if (a == 0 || a >= kMaxGroupAmount || a <= -kMaxGroupAmount) continue;
    scorer_.words(parts_left, p, words);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (std::string_view w : words) postings.push_back({hash_of(w), p});
  }
  std::sort(postings.begin(), postings.end());
  if (postings.empty()) return;

  const SignMode sign = scorer_.amount_sign();
  const std::size_t rules = scorer_.rule_count();
  std::vector<FieldScore> scores(rules), best_scores(rules);
  std::vector<std::uint32_t> found;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> shared;  // (part, shared words)
  for (std::uint32_t t = 0; t < target_count; ++t) {
    if (used(targets_are_left, t)) continue;
    const std::int64_t target_amount = scorer_.amount(targets_are_left, t);
    if (target_amount == 0 || target_amount >= kMaxGroupAmount || target_amount <= -kMaxGroupAmount) continue;
    const std::int32_t target_date = scorer_.date(targets_are_left, t);
    if (scorer_.date_required() && target_date == kNoDate) continue;
    const std::int32_t currency = scorer_.currency(targets_are_left, t);
    const std::int64_t target_magnitude = std::llabs(target_amount);
    const std::int64_t tolerance = scorer_.amount_tolerance(target_amount, target_amount);

    scorer_.words(targets_are_left, t, words);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    found.clear();
    for (std::string_view w : words) {
      const std::uint64_t h = hash_of(w);
      auto first = std::lower_bound(postings.begin(), postings.end(), KeyEntry{h, 0});
      auto last = first;
      while (last != postings.end() && last->hash == h) ++last;
      if (static_cast<std::size_t>(last - first) > kMaxWordPostings) continue;
      for (auto it = first; it != last; ++it) {
        const std::uint32_t p = it->index;
        if (used(parts_left, p) || scorer_.currency(parts_left, p) != currency) continue;
        const std::int64_t a = scorer_.amount(parts_left, p);
        const bool same_sign = (a > 0) == (target_amount > 0);
        if (sign == SignMode::kSame && !same_sign) continue;
        if (sign == SignMode::kOpposite && same_sign) continue;
        if (std::llabs(a) > target_magnitude + tolerance) continue;
        if (scorer_.date_rule() >= 0 && scorer_.date_required() &&
            !scorer_.date_in_window(target_date, scorer_.date(parts_left, p))) {
          continue;
        }
        found.push_back(p);
      }
    }
    if (found.size() < 2) continue;
    std::sort(found.begin(), found.end());
    shared.clear();
    for (std::size_t i = 0; i < found.size();) {
      std::size_t j = i;
      while (j < found.size() && found[j] == found[i]) ++j;
      shared.push_back({found[i], static_cast<std::uint32_t>(j - i)});
      i = j;
    }
    if (shared.size() < 2) continue;
    auto date_gap = [&](std::uint32_t p) {
      const std::int32_t d = scorer_.date(parts_left, p);
      return (d == kNoDate || target_date == kNoDate) ? 0 : std::abs(d - target_date);
    };
    std::sort(shared.begin(), shared.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      const int ga = date_gap(a.first), gb = date_gap(b.first);
      if (ga != gb) return ga < gb;
      return a.first < b.first;
    });
    if (shared.size() > kMaxGroupParts) shared.resize(kMaxGroupParts);
    std::vector<std::int64_t> magnitudes;
    for (const auto& [p, count] : shared) magnitudes.push_back(std::llabs(scorer_.amount(parts_left, p)));

    std::vector<std::uint32_t> members;
    const std::vector<std::uint32_t> single{t};
    double best_confidence = -1;
    auto score_subset = [&](std::span<const std::uint32_t> positions) {
      members.clear();
      for (std::uint32_t pos : positions) members.push_back(shared[pos].first);
      std::sort(members.begin(), members.end());
      const double c = targets_are_left ? scorer_.score_group(single, members, scores.data())
                                        : scorer_.score_group(members, single, scores.data());
      if (c < rules_.review_threshold) return -1.0;
      if (c > best_confidence) {
        best_confidence = c;
        best_scores = scores;
      }
      return c;
    };
    SubsetSearchLimits limits;
    limits.max_size = rules_.max_group_size;
    auto best = best_subset_sum(magnitudes, target_magnitude, tolerance, limits, score_subset);
    if (!best) continue;
    members.clear();
    for (std::uint32_t pos : *best) members.push_back(shared[pos].first);
    std::sort(members.begin(), members.end());
    // Re-score the winner: the callback's last call may have been another subset.
    const double confidence = targets_are_left ? scorer_.score_group(single, members, scores.data())
                                               : scorer_.score_group(members, single, scores.data());
    if (targets_are_left) {
      add_group(single, members, GroupKind::kOneToMany, confidence, scores);
    } else {
      add_group(members, single, GroupKind::kManyToOne, confidence, scores);
    }
  }
}

void Reconciliation::find_duplicates(bool left_side, std::vector<std::int64_t>& duplicate_of) const {
  const RecordTable& table = left_side ? left_ : right_;
  const std::size_t n = table.size();
  duplicate_of.assign(n, -1);
  auto same = [&](std::size_t a, std::size_t b) {
    return table.amounts[a] == table.amounts[b] && table.dates[a] == table.dates[b] &&
           table.currencies[a] == table.currencies[b] && table.references[a] == table.references[b] &&
           table.descriptions[a] == table.descriptions[b] && table.counterparties[a] == table.counterparties[b];
  };
  std::vector<KeyEntry> keys(n);
  parallel_for(n, options_.threads, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t i = begin; i < end; ++i) {
      std::uint64_t h = static_cast<std::uint64_t>(table.amounts[i]) * 0x9E3779B97F4A7C15ULL;
      h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(table.dates[i])) + 0x7F4A7C15ULL + (h << 6) + (h >> 2);
      h ^= hash_of(table.references[i]) + (h << 6) + (h >> 2);
      h ^= hash_of(table.descriptions[i]) + (h << 6) + (h >> 2);
      keys[i] = {h, static_cast<std::uint32_t>(i)};
    }
  });
  std::sort(keys.begin(), keys.end());
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
    std::int64_t left_total = saturating_add(saturating_add(t.matched_left, t.suggested_left), t.unmatched_left);
    std::int64_t right_total = saturating_add(saturating_add(t.matched_right, t.suggested_right), t.unmatched_right);
    t.net_difference = saturating_add(left_total, right_total == INT64_MIN ? INT64_MAX : -right_total);
  }
  totals.erase(std::remove_if(totals.begin(), totals.end(), [&](const CurrencyTotals& t) {
                 return t.currency.empty() && t.matched_left == 0 && t.matched_right == 0 &&
                        t.suggested_left == 0 && t.suggested_right == 0 && t.unmatched_left == 0 &&
                        t.unmatched_right == 0 && totals.size() > 1;
               }),
               totals.end());
  std::sort(totals.begin(), totals.end(),
            [](const CurrencyTotals& a, const CurrencyTotals& b) { return a.currency < b.currency; });
  s.totals = std::move(totals);
}

ReconcileResult Reconciliation::run() {
  const double confidence = rules_.confidence_threshold;
  result_.rules = scorer_.applied_rules();
  left_used_.assign(left_.size(), 0);
  right_used_.assign(right_.size(), 0);
  progress("indexing", 0.10);
  build_indexes();

  // Pass 1: equal amounts and blocking keys.
  std::vector<std::uint32_t> lefts(left_.size());
  for (std::uint32_t i = 0; i < lefts.size(); ++i) lefts[i] = i;
  std::vector<WeightedEdge> edges = score_pass(Pass::kExactAmount, lefts, 0.15, 0.60);
  auto confident = [&](const std::vector<WeightedEdge>& all) {
    std::vector<WeightedEdge> out;
    for (const WeightedEdge& e : all) {
      if (e.score >= confidence && !left_used_[e.left] && !right_used_[e.right]) out.push_back(e);
    }
    return out;
  };
  accept_pairs(assign_one_to_one(confident(edges)));
  review_edges_ = std::move(edges);
  progress("matching within tolerance", 0.65);

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

  // Pass 3: 1:N and N:1 groups.
  progress("grouping", 0.82);
  if (rules_.find_groups && rules_.max_group_size >= 2 && scorer_.amount_rule() >= 0) {
    find_groups(true);
    find_groups(false);
  }

  // Pass 4: suggestions from the review band.
  progress("suggesting", 0.92);
  std::vector<WeightedEdge> open;
  std::sort(review_edges_.begin(), review_edges_.end(), [](const WeightedEdge& a, const WeightedEdge& b) {
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
  std::sort(result_.groups.begin(), result_.groups.end(), [&](const MatchGroup& a, const MatchGroup& b) {
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
      return "date (within " + std::to_string(rule.window_days) + (rule.business_days ? " business" : "") + " days)";
    case Comparator::kText: return "text (" + std::string(text_method_name(rule.method)) + ")";
    case Comparator::kExact: return "exact";
    case Comparator::kContains: return "contains";
  }
  return "";
}

}  // namespace

Result<ReconcileResult> reconcile(const RecordTable& left, const RecordTable& right, const RuleSet& rules,
                                  const ReconcileOptions& options) {
  if (options.progress) options.progress("preparing", 0.0);
  ASSIGN_OR_RETURN(PairScorer scorer, PairScorer::create(left, right, rules, options.threads));
  Reconciliation reconciliation(left, right, rules, options, std::move(scorer));
  return reconciliation.run();
}

std::vector<Explanation> explain(const ReconcileResult& result, const MatchGroup& group, const RecordTable& left,
                                 const RecordTable& right) {
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
