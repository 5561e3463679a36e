// Candidate search: the right records worth scoring against a left record, and scoring a pass.
// Exact pass: equal amounts (or the negated amount, per sign mode) in the date window, from a
// sorted amount index; without an amount rule, equal blocking keys. Tolerance pass: amounts within
// tolerance from a per-day sorted index of the rights still open, plus equal blocking keys. When
// many candidates qualify, only those whose word sketches look most alike are scored.
//
// Without an amount rule (customer or person records) the blocking rules are the only source of
// candidates: block_search.cpp.

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "engine/parallel_for.h"
#include "engine/reconciliation.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

// Entries examined per left record in one tolerance scan.
constexpr std::size_t kMaxToleranceScan = 512;
// Candidates fully scored per left record; more are ranked by word sketch first.
constexpr std::size_t kMaxScoredCandidates = 8;
// The same when the blocking rules are the only source of candidates (no amount rule): the
// candidates of several blocks, ranked by the evidence of the keys they share first.
constexpr std::size_t kMaxScoredBlockCandidates = 32;

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

bool better_edge(const WeightedEdge& a, const WeightedEdge& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.right < b.right;
}

}  // namespace

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
    std::vector<KeyEntry> numbers;
    for (std::uint32_t r = 0; r < right_.size(); ++r) {
      for_each_identifying_number(scorer_.identifier_numbers(false, rule, r),
                                  [&](std::string_view n) { numbers.push_back({hash_of(n), r}); });
    }
    parallel_sort(numbers, options_.threads, std::less<KeyEntry>());
    number_blocks_.push_back(std::move(numbers));
  }
}

void Reconciliation::key_partners(std::uint32_t l, std::size_t b,
                                  std::vector<std::uint32_t>& out) const {
  const int rule = scorer_.blocking_rules()[b];
  const std::string_view key = scorer_.key(true, rule, l);
  if (!key.empty()) {
    for (const KeyEntry& e : key_block(b, key)) {
      if (scorer_.key(false, rule, e.index) == key) out.push_back(e.index);
    }
  }
  const auto& numbers = number_blocks_[b];
  if (numbers.empty()) return;
  for_each_identifying_number(scorer_.identifier_numbers(true, rule, l), [&](std::string_view n) {
    const std::uint64_t h = hash_of(n);
    auto first = std::lower_bound(numbers.begin(), numbers.end(), KeyEntry{h, 0});
    auto last = std::upper_bound(first, numbers.end(), KeyEntry{h, UINT32_MAX});
    if (static_cast<std::size_t>(last - first) > kMaxKeyBlockSize) return;
    for (; first != last; ++first) {
      if (holds_number(scorer_.identifier_numbers(false, rule, first->index), n))
        out.push_back(first->index);
    }
  });
}

std::span<const KeyEntry> Reconciliation::key_block(std::size_t b, std::string_view key) const {
  const std::span<const KeyEntry> block = whole_block(b, key);
  return block.size() > kMaxKeyBlockSize ? std::span<const KeyEntry>() : block;
}

std::span<const KeyEntry> Reconciliation::whole_block(std::size_t b, std::string_view key) const {
  const std::uint64_t h = hash_of(key);
  const auto& entries = blocks_[b];
  auto first = std::lower_bound(entries.begin(), entries.end(), KeyEntry{h, 0});
  auto last = std::upper_bound(first, entries.end(), KeyEntry{h, UINT32_MAX});
  return {first, last};
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
  // left (pass 2), where amounts may differ within tolerance. (Without one, block_candidates.)
  const bool use_blocking = pass == Pass::kTolerance || scorer_.amount_rule() < 0;
  const auto& blocking = scorer_.blocking_rules();
  for (std::size_t b = 0; use_blocking && b < blocking.size(); ++b) key_partners(l, b, out);
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
  // Without an amount rule the candidates come from blocks alone (header comment).
  const bool by_blocks = scorer_.amount_rule() < 0;
  const std::size_t scored_at_most = by_blocks ? kMaxScoredBlockCandidates : kMaxScoredCandidates;
  parallel_for(n, options_.threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
    std::vector<std::uint32_t> candidates, evidence;
    BlockScratch scratch;
    std::vector<std::pair<std::uint32_t, std::int64_t>> ranked;
    std::vector<WeightedEdge> scored;
    auto& out = per_worker[worker];
    for (std::size_t k = begin; k < end; ++k) {
      if (cancelled()) break;  // run() returns at its next check
      const std::uint32_t l = lefts[k];
      if (by_blocks) {
        block_candidates(l, scratch, candidates, evidence);
      } else {
        candidates_for(l, pass, candidates);
      }
      if (candidates.size() > scored_at_most) {
        // Many records share this amount and window (or these keys): score only those whose words
        // look most alike (with the most telling keys in common first).
        const std::uint64_t sketch = scorer_.word_sketch(true, l);
        const std::int32_t d = date_of(true, l);
        ranked.clear();
        for (std::size_t c = 0; c < candidates.size(); ++c) {
          const std::uint32_t r = candidates[c];
          const int common = __builtin_popcountll(sketch & scorer_.word_sketch(false, r));
          const std::int32_t rd = date_of(false, r);
          const int gap = (d == kNoDate || rd == kNoDate) ? 0 : std::abs(d - rd);
          const std::int64_t keys = by_blocks ? evidence[c] : 0;
          ranked.push_back({r, keys * 65536 + common * 1024 - std::min(gap, 1023)});
        }
        const auto scored = static_cast<std::ptrdiff_t>(scored_at_most);
        std::partial_sort(ranked.begin(), ranked.begin() + scored, ranked.end(),
                          [](const auto& a, const auto& b) {
                            return a.second != b.second ? a.second > b.second : a.first < b.first;
                          });
        candidates.clear();
        for (std::size_t k = 0; k < scored_at_most; ++k) candidates.push_back(ranked[k].first);
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

}  // namespace oeuvre::engine
