#include "engine/model_estimation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mix.h"
#include "engine/key_hash.h"
#include "engine/parallel_for.h"

namespace oeuvre::engine {
namespace {

constexpr std::uint8_t kAbsent = 0xff;
constexpr int kMaxIterations = 200;
constexpr double kConverged = 1e-7;
// A session with fewer pairs than this says too little to estimate from.
constexpr std::size_t kMinSessionPairs = 50;

double round_digits(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", x);
  return std::strtod(text, nullptr);
}

double clamp_probability(double p) { return std::clamp(p, kMinProbability, 1.0 - kMinProbability); }

// Calls f(left_begin, left_end, right_begin, right_end) for each key both sorted key lists hold:
// the ranges of left and right with that key.
template <class F>
void for_each_shared_key(const std::vector<KeyEntry>& left, const std::vector<KeyEntry>& right,
                         F&& f) {
  std::size_t i = 0, j = 0;
  while (i < left.size() && j < right.size()) {
    if (left[i].hash != right[j].hash) {
      if (left[i].hash < right[j].hash)
        ++i;
      else
        ++j;
      continue;
    }
    const std::uint64_t h = left[i].hash;
    const std::size_t li = i, rj = j;
    while (i < left.size() && left[i].hash == h) ++i;
    while (j < right.size() && right[j].hash == h) ++j;
    f(li, i, rj, j);
  }
}

// P(two records drawn at random, one a side, both with a key, have equal keys).
double equal_keys(const std::vector<KeyEntry>& left, const std::vector<KeyEntry>& right) {
  if (left.empty() || right.empty()) return 0;
  double shared = 0;
  for_each_shared_key(left, right,
                      [&](std::size_t lb, std::size_t le, std::size_t rb, std::size_t re) {
                        shared += static_cast<double>(le - lb) * static_cast<double>(re - rb);
                      });
  return shared / (static_cast<double>(left.size()) * static_cast<double>(right.size()));
}

// The comparison levels of a pair, one byte per rule (kAbsent when a value is empty).
void levels_of(const std::vector<RuleModel>& rules, const FieldScore* scores, std::string& out) {
  out.resize(rules.size());
  for (std::size_t k = 0; k < rules.size(); ++k) {
    out[k] = static_cast<char>(scores[k].present ? level_of(rules[k].levels, scores[k].similarity)
                                                 : kAbsent);
  }
}

// u of every level of every rule: sampled random pairs, the top level of equality-like rules
// counted exactly.
void estimate_u(const PairScorer& scorer, const ValueKeys& keys, std::size_t nl, std::size_t nr,
                int threads, std::vector<RuleModel>& rules, ModelEstimate& estimate) {
  const std::size_t rule_count = rules.size();
  const std::size_t samples = std::min<std::size_t>(
      kModelSamplePairs, static_cast<std::size_t>(std::min<double>(
                             1e18, static_cast<double>(nl) * static_cast<double>(nr))));
  const std::size_t workers = parallel_workers(samples, threads);
  // counts[worker][rule][level], the level kMaxModelLevels counting the pairs with the rule
  // present.
  std::vector<std::vector<std::array<std::uint64_t, kMaxModelLevels + 1>>> counts(
      workers, std::vector<std::array<std::uint64_t, kMaxModelLevels + 1>>(rule_count));
  parallel_for(samples, threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
    std::vector<FieldScore> scores(rule_count);
    std::string levels;
    auto& mine = counts[worker];
    for (std::size_t i = begin; i < end; ++i) {
      const auto l = static_cast<std::uint32_t>(splitmix64(2 * i) % nl);
      const auto r = static_cast<std::uint32_t>(splitmix64(2 * i + 1) % nr);
      scorer.rule_similarities(l, r, scores.data());
      levels_of(rules, scores.data(), levels);
      for (std::size_t k = 0; k < rule_count; ++k) {
        const auto level = static_cast<std::uint8_t>(levels[k]);
        if (level == kAbsent) continue;
        ++mine[k][level];
        ++mine[k][kMaxModelLevels];
      }
    }
  });
  estimate.u_pairs = samples;
  for (std::size_t k = 0; k < rule_count; ++k) {
    std::vector<ModelLevel>& levels = rules[k].levels;
    const std::size_t n = levels.size();
    std::vector<double> c(n, 0);
    double present = 0;
    for (const auto& worker : counts) {
      for (std::size_t l = 0; l < n; ++l) c[l] += static_cast<double>(worker[k][l]);
      present += static_cast<double>(worker[k][kMaxModelLevels]);
    }
    // Equality-like top levels: the exact chance that two random records share a value.
    std::optional<double> exact;
    if (levels[0].min_similarity >= 0.999 && n >= 2) {
      const std::vector<KeyEntry>& left = keys.left[k];
      const std::vector<KeyEntry>& right = keys.right[k];
      if (!left.empty() && !right.empty()) {
        // Never below one pair in all: no value shared at all is still not proof of zero.
        exact = std::max(equal_keys(left, right), 1.0 / (static_cast<double>(left.size()) *
                                                         static_cast<double>(right.size())));
      }
    }
    if (exact && present > 0) {
      const double top = std::max(*exact, c[0] / present);
      const double rest = present - c[0];
      levels[0].u = top;
      for (std::size_t l = 1; l < n; ++l)
        levels[l].u = (1.0 - top) * (c[l] + 0.5) / (rest + 0.5 * static_cast<double>(n - 1));
    } else {
      for (std::size_t l = 0; l < n; ++l)
        levels[l].u = (c[l] + 0.5) / (present + 0.5 * static_cast<double>(n));
    }
    for (ModelLevel& level : levels) level.u = clamp_probability(level.u);
  }
}

// The m values a rule starts EM with (and keeps when no session estimates them): most matches in
// the top level, the rest falling off level by level.
void default_m(std::vector<ModelLevel>& levels) {
  if (levels.size() == 1) {
    levels[0].m = clamp_probability(1.0);
    return;
  }
  double rest = 0.1, total = 0;
  levels[0].m = 0.9;
  for (std::size_t l = 1; l < levels.size(); ++l) {
    levels[l].m = std::exp2(-static_cast<double>(l));
    total += levels[l].m;
  }
  for (std::size_t l = 1; l < levels.size(); ++l) levels[l].m = rest * levels[l].m / total;
}

// A pattern of levels (one byte per rule) and how many of a session's pairs show it.
struct Pattern {
  std::string levels;
  double count;
};

// What one session learned: per rule, m per level and the expected matches that had the rule
// present (0 for the key rule); the expected matches among the session's pairs.
struct SessionResult {
  std::vector<std::vector<double>> m;
  std::vector<double> matches_present;
  double matches = 0;
  int iterations = 0;
};

SessionResult run_em(const std::vector<Pattern>& patterns, const std::vector<RuleModel>& rules) {
  const std::size_t rule_count = rules.size();
  SessionResult out;
  out.m.resize(rule_count);
  out.matches_present.assign(rule_count, 0);
  std::vector<std::vector<double>> log_m(rule_count), log_u(rule_count);
  for (std::size_t k = 0; k < rule_count; ++k) {
    for (const ModelLevel& level : rules[k].levels) {
      out.m[k].push_back(level.m);
      log_u[k].push_back(std::log2(level.u));
    }
  }
  double lambda = 0.5, total = 0;
  for (const Pattern& p : patterns) total += p.count;
  std::vector<std::vector<double>> sums(rule_count);
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    for (std::size_t k = 0; k < rule_count; ++k) {
      log_m[k].resize(out.m[k].size());
      for (std::size_t l = 0; l < out.m[k].size(); ++l) log_m[k][l] = std::log2(out.m[k][l]);
      sums[k].assign(out.m[k].size(), 0);
    }
    std::vector<double> present(rule_count, 0);
    double matches = 0;
    for (const Pattern& p : patterns) {
      double wm = std::log2(lambda), wu = std::log2(1.0 - lambda);
      for (std::size_t k = 0; k < rule_count; ++k) {
        const auto level = static_cast<std::uint8_t>(p.levels[k]);
        if (level == kAbsent) continue;
        wm += log_m[k][level];
        wu += log_u[k][level];
      }
      const double posterior = 1.0 / (1.0 + std::exp2(std::clamp(wu - wm, -1000.0, 1000.0)));
      const double expected = posterior * p.count;
      matches += expected;
      for (std::size_t k = 0; k < rule_count; ++k) {
        const auto level = static_cast<std::uint8_t>(p.levels[k]);
        if (level == kAbsent) continue;
        sums[k][level] += expected;
        present[k] += expected;
      }
    }
    double change = 0;
    for (std::size_t k = 0; k < rule_count; ++k) {
      if (present[k] <= 0) continue;
      const double n = static_cast<double>(out.m[k].size());
      for (std::size_t l = 0; l < out.m[k].size(); ++l) {
        // Half a pair of pseudo-count per level: a level no match of a small file showed is
        // rare, not impossible.
        const double m = clamp_probability((sums[k][l] + 0.5) / (present[k] + 0.5 * n));
        change = std::max(change, std::abs(m - out.m[k][l]));
        out.m[k][l] = m;
      }
    }
    const double next = std::clamp(matches / total, 1e-6, 1.0 - 1e-6);
    change = std::max(change, std::abs(next - lambda));
    lambda = next;
    out.matches = matches;
    out.matches_present = present;
    out.iterations = iteration + 1;
    if (change < kConverged) break;
  }
  return out;
}

}  // namespace

MatchModel estimate_model(const PairScorer& scorer, const ValueKeys& keys, std::size_t nl,
                          std::size_t nr, int threads, const std::atomic<bool>* cancel) {
  const auto cancelled = [cancel] {
    return cancel != nullptr && cancel->load(std::memory_order_relaxed);
  };
  MatchModel model;
  const auto& applied = scorer.applied_rules();
  const std::size_t rule_count = applied.size();
  for (const AppliedRule& a : applied) {
    RuleModel r{a.rule.name, default_levels(a.rule)};
    default_m(r.levels);
    model.rules.push_back(std::move(r));
  }
  model.prior = 1e-6;
  if (nl == 0 || nr == 0 || rule_count == 0) return model;
  estimate_u(scorer, keys, nl, nr, threads, model.rules, model.estimate);
  if (cancelled()) return model;

  // The sessions, each the pairs equal on one rule: every blocking rule, and the amount (else
  // the date).
  std::vector<int> sessions(scorer.blocking_rules());
  if (scorer.amount_rule() >= 0) {
    sessions.push_back(scorer.amount_rule());
  } else if (scorer.date_rule() >= 0) {
    sessions.push_back(scorer.date_rule());
  }

  struct Learned {
    int rule;
    SessionResult result;
    double scale;         // pairs in the session / pairs gathered
    double both_present;  // P(a random left and a random right record both have the key)
  };
  std::vector<Learned> learned;
  for (const int rule : sessions) {
    if (cancelled()) return model;
    const std::vector<KeyEntry>& left = keys.left[static_cast<std::size_t>(rule)];
    const std::vector<KeyEntry>& right = keys.right[static_cast<std::size_t>(rule)];
    // The blocks of equal keys small enough to take, and the pairs in them.
    std::vector<std::pair<std::size_t, std::size_t>> blocks_left, blocks_right;
    double pairs = 0;
    for_each_shared_key(left, right,
                        [&](std::size_t lb, std::size_t le, std::size_t rb, std::size_t re) {
                          if (le - lb > kModelMaxBlock || re - rb > kModelMaxBlock) return;
                          blocks_left.push_back({lb, le});
                          blocks_right.push_back({rb, re});
                          pairs += static_cast<double>(le - lb) * static_cast<double>(re - rb);
                        });
    if (pairs < static_cast<double>(kMinSessionPairs)) continue;
    const auto stride =
        static_cast<std::uint64_t>(std::ceil(pairs / static_cast<double>(kModelSessionPairs)));
    std::vector<std::pair<std::uint32_t, std::uint32_t>> chosen;
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < blocks_left.size(); ++b) {
      for (std::size_t i = blocks_left[b].first; i < blocks_left[b].second; ++i) {
        for (std::size_t j = blocks_right[b].first; j < blocks_right[b].second; ++j) {
          if (seen++ % stride == 0) chosen.push_back({left[i].index, right[j].index});
        }
      }
    }
    // Count the patterns per worker, then merge them in a fixed order.
    const std::size_t workers = parallel_workers(chosen.size(), threads);
    std::vector<std::unordered_map<std::string, double>> counted(workers);
    parallel_for(chosen.size(), threads, [&](std::size_t begin, std::size_t end, std::size_t w) {
      std::vector<FieldScore> scores(rule_count);
      std::string levels;
      for (std::size_t p = begin; p < end; ++p) {
        scorer.rule_similarities(chosen[p].first, chosen[p].second, scores.data());
        levels_of(model.rules, scores.data(), levels);
        levels[static_cast<std::size_t>(rule)] = static_cast<char>(kAbsent);  // the key itself
        counted[w][levels] += 1;
      }
    });
    std::map<std::string, double> merged;
    for (const auto& worker : counted) {
      for (const auto& [levels, count] : worker) merged[levels] += count;
    }
    std::vector<Pattern> patterns;
    for (auto& [levels, count] : merged) patterns.push_back({levels, count});
    SessionResult result = run_em(patterns, model.rules);
    model.estimate.em_pairs += chosen.size();
    model.estimate.em_sessions += 1;
    model.estimate.em_iterations += result.iterations;
    learned.push_back({rule, std::move(result), pairs / static_cast<double>(chosen.size()),
                       (static_cast<double>(left.size()) / static_cast<double>(nl)) *
                           (static_cast<double>(right.size()) / static_cast<double>(nr))});
  }

  // Each rule's m: the sessions' estimates weighted by the matches they saw with it present.
  for (std::size_t k = 0; k < rule_count; ++k) {
    std::vector<ModelLevel>& levels = model.rules[k].levels;
    double weight = 0;
    std::vector<double> m(levels.size(), 0);
    for (const Learned& l : learned) {
      const double w = l.result.matches_present[k];
      if (w <= 0) continue;
      weight += w;
      for (std::size_t level = 0; level < levels.size(); ++level)
        m[level] += w * l.result.m[k][level];
    }
    if (weight <= 0) continue;
    for (std::size_t level = 0; level < levels.size(); ++level)
      levels[level].m = clamp_probability(m[level] / weight);
  }

  // The prior: the matches each session found, over the share of all matches its key finds: the
  // m of its top level times how often a match has the key's values on both sides (seen in the
  // other sessions; else assumed as for any two records).
  std::vector<double> totals;
  for (const Learned& l : learned) {
    const auto k = static_cast<std::size_t>(l.rule);
    double present = 0, matches = 0;
    for (const Learned& other : learned) {
      if (other.rule == l.rule) continue;
      present += other.result.matches_present[k];
      matches += other.result.matches;
    }
    const double both = matches > 0 ? present / matches : l.both_present;
    const double recall = model.rules[k].levels[0].m * both;
    if (recall <= 0) continue;
    totals.push_back(l.result.matches * l.scale / recall);
  }
  const double all_pairs = static_cast<double>(nl) * static_cast<double>(nr);
  double matches = static_cast<double>(std::min(nl, nr));
  if (!totals.empty()) {
    // The median (for an even count, the geometric mean of the middle two).
    std::sort(totals.begin(), totals.end());
    const std::size_t n = totals.size();
    const double median = n % 2 == 1 ? totals[n / 2] : std::sqrt(totals[n / 2 - 1] * totals[n / 2]);
    matches = std::clamp(median, 1.0, static_cast<double>(std::min(nl, nr)));
  }
  model.prior = clamp_probability(matches / all_pairs);
  // Twelve significant digits: the model reads back from JSON as the same doubles, so a run with
  // --model gives the results of the run that learned it.
  model.prior = round_digits(model.prior);
  for (RuleModel& r : model.rules) {
    for (ModelLevel& level : r.levels) {
      level.min_similarity = round_digits(level.min_similarity);
      level.m = round_digits(level.m);
      level.u = round_digits(level.u);
    }
  }
  return model;
}

}  // namespace oeuvre::engine
