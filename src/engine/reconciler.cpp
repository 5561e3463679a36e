#include "engine/reconciler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <utility>

#include "core/money.h"
#include "engine/assignment.h"
#include "engine/duplicates.h"
#include "engine/field_value_renderer.h"
#include "engine/model_estimation.h"
#include "engine/pair_scorer.h"
#include "engine/parallel_for.h"
#include "engine/reconcile_summary.h"
#include "engine/reconciliation.h"

namespace oeuvre::engine {
namespace {

Error cancelled_error() { return Error::Unavailable("the reconciliation was cancelled"); }

}  // namespace

Result<ReconcileResult> Reconciliation::run() {
  result_.rules = scorer_.applied_rules();
  result_.model = scorer_.model();
  load_values();
  progress("indexing", 0.10);
  if (cancelled()) return cancelled_error();
  build_indexes();
  // A record and its reversal on one side, when certain, before either is matched across.
  match_offsets(true);

  // Pass 1: equal amounts and blocking keys.
  std::vector<WeightedEdge> edges =
      score_pass(Pass::kExactAmount, lefts_in_amount_order(), 0.15, 0.50);
  progress("assigning", 0.52);
  if (cancelled()) return cancelled_error();
  accept_confident(edges);
  review_edges_ = std::move(edges);

  // Pass 2: exact-sum groups come before amounts within tolerance: a subset that sums to the cent
  // and shares words with its target is stronger evidence than an amount a few percent off.
  const bool groups =
      rules_.find_groups && rules_.max_group_size >= 2 && scorer_.amount_rule() >= 0;
  // Declared batches first: their members are known to belong together.
  const bool batches = rules_.match_batches && scorer_.amount_rule() >= 0;
  progress("grouping", 0.58);
  if (cancelled()) return cancelled_error();
  if (batches) {
    match_batches(false);
    match_batches(true);
  }
  if (groups) {
    find_groups(true, true);
    find_groups(false, true);
  }
  progress("matching within tolerance", 0.65);
  if (cancelled()) return cancelled_error();

  // Pass 3: amounts within tolerance, among the records left.
  if (scorer_.amount_rule() >= 0) match_within_tolerance();

  // Pass 4: exact-sum groups again, now that pass 3 has cleared the crowd of near-miss pairs that
  // hid some parts; then, when allowed, groups whose sum is off by one fee.
  progress("grouping again", 0.82);
  if (cancelled()) return cancelled_error();
  if (batches) {
    match_batches(false);
    match_batches(true);
  }
  if (groups) {
    find_groups(true, true);
    find_groups(false, true);
    if (rules_.group_tolerance && scorer_.group_tolerance() > 0) {
      find_groups(true, false);
      find_groups(false, false);
    }
  }

  // Pass 5: suggestions from the review band.
  progress("suggesting", 0.92);
  if (cancelled()) return cancelled_error();
  suggest_from_review_band();
  match_offsets(false);
  suggest_partly_paid();
  // The duplicates first: a record's flagged twin is not a rival that holds its match. A duplicate
  // is a booking repeated (same amount, date and texts): without an amount rule (customer or
  // person records) none is looked for.
  if (scorer_.amount_rule() >= 0) {
    result_.left_duplicate_of = find_duplicates(left_, options_.threads);
    result_.right_duplicate_of = find_duplicates(right_, options_.threads);
  } else {
    result_.left_duplicate_of.assign(left_.size(), -1);
    result_.right_duplicate_of.assign(right_.size(), -1);
  }
  hold_uncertain_groups();

  finish_groups();
  result_.summary = summarise(result_, left_, right_, scorer_);
  progress("done", 1.0);
  return std::move(result_);
}

// The working state: nothing used yet, and the amount and date of every record.
void Reconciliation::load_values() {
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
}

// Left records in (currency, amount) order: probing the sorted index in amount order keeps its
// memory hot; the edges found do not depend on the order (assignment sorts them).
std::vector<std::uint32_t> Reconciliation::lefts_in_amount_order() const {
  std::vector<std::uint32_t> lefts(left_.size());
  for (std::uint32_t i = 0; i < lefts.size(); ++i) lefts[i] = i;
  if (scorer_.amount_rule() >= 0) {
    std::vector<std::pair<std::pair<std::int32_t, std::int64_t>, std::uint32_t>> keyed(
        lefts.size());
    for (std::uint32_t i = 0; i < lefts.size(); ++i)
      keyed[i] = {{scorer_.currency(true, i), amount_of(true, i)}, i};
    parallel_sort(keyed, options_.threads, std::less<>());
    for (std::uint32_t i = 0; i < lefts.size(); ++i) lefts[i] = keyed[i].second;
  }
  return lefts;
}

// Accepts, one to one, the best assignment among the edges >= confidence_threshold whose records
// are both still open.
void Reconciliation::accept_confident(const std::vector<WeightedEdge>& edges) {
  std::vector<WeightedEdge> confident;
  for (const WeightedEdge& e : edges) {
    if (e.score >= rules_.confidence_threshold && !left_used_[e.left] && !right_used_[e.right])
      confident.push_back(e);
  }
  accept_pairs(assign_one_to_one(confident));
}

// Scores the open left records against open rights within tolerance; keeps the edges for review.
void Reconciliation::match_within_tolerance() {
  build_tolerance_index();
  std::vector<std::uint32_t> lefts;
  for (std::uint32_t i = 0; i < left_.size(); ++i) {
    if (!left_used_[i]) lefts.push_back(i);
  }
  std::vector<WeightedEdge> more = score_pass(Pass::kTolerance, lefts, 0.65, 0.80);
  accept_confident(more);
  review_edges_.insert(review_edges_.end(), more.begin(), more.end());
}

// Assigns, one to one, the review-band edges whose records are both still open.
void Reconciliation::suggest_from_review_band() {
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
}

// Groups in a stable, readable order (by first left record, then first right record), and the
// records left unmatched.
void Reconciliation::finish_groups() {
  // A group without records on a side (an offset) sorts after those with some.
  auto first = [&](std::uint32_t begin, std::uint32_t count) {
    return count == 0 ? UINT32_MAX : result_.members[begin];
  };
  parallel_sort(result_.groups, options_.threads, [&](const MatchGroup& a, const MatchGroup& b) {
    const std::uint32_t la = first(a.left_begin, a.left_count),
                        lb = first(b.left_begin, b.left_count);
    if (la != lb) return la < lb;
    return first(a.right_begin, a.right_count) < first(b.right_begin, b.right_count);
  });
  for (std::uint32_t i = 0; i < left_.size(); ++i) {
    if (!left_used_[i]) result_.unmatched_left.push_back(i);
  }
  for (std::uint32_t i = 0; i < right_.size(); ++i) {
    if (!right_used_[i]) result_.unmatched_right.push_back(i);
  }
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
      if (rule.typos && rule.window_days == 0) return "date (equal, or a typo apart)";
      return "date (within " + std::to_string(rule.window_days) +
             (rule.business_days ? " business" : "") + " days" +
             (rule.typos ? ", or a typo apart)" : ")");
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
  // Binding the rules and learning a model take seconds on large files: a cancel is looked at
  // between their steps too, not only once matching runs.
  const auto cancelled = [&] {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
  };
  ASSIGN_OR_RETURN(PairScorer scorer, PairScorer::create(left, right, rules, options.threads));
  if (cancelled()) return cancelled_error();
  const bool given = rules.weights == WeightMode::kModel && rules.model;
  const bool learn = rules.weights == WeightMode::kLearn ||
                     (rules.weights == WeightMode::kAuto && left.size() >= kLearnMinRecords &&
                      right.size() >= kLearnMinRecords) ||
                     (given && rules.learn_when_unfit && !scorer.model_fits(*rules.model));
  if (learn) {
    if (options.progress) options.progress("learning the model", 0.05);
    const ValueKeys keys = scorer.value_keys(options.threads);
    if (cancelled()) return cancelled_error();
    auto model = std::make_shared<const MatchModel>(
        estimate_model(scorer, keys, left.size(), right.size(), options.threads, options.cancel));
    if (cancelled()) return cancelled_error();
    RETURN_IF_ERROR(scorer.use_model(std::move(model), &keys, options.threads));
  } else if (given) {
    RETURN_IF_ERROR(scorer.use_model(rules.model, nullptr, options.threads));
  }
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
    if (result.model) {
      if (const RuleModel* levels = result.model->find(rule.name))
        explain_level(*levels, score.present, score.similarity, score.match_weight, e);
    }
    out.push_back(std::move(e));
  }
  return out;
}

void explain_level(const RuleModel& rule, bool present, double similarity, double match_weight,
                   Explanation& line) {
  if (rule.levels.empty()) return;
  line.modelled = true;
  if (!present) {
    line.level = "absent";
    return;
  }
  const ModelLevel& level = rule.levels[level_of(rule.levels, similarity)];
  line.level = level.label;
  line.m = level.m;
  line.u = level.m / std::exp2(match_weight);
  line.match_weight = match_weight;
}

void write_json(JsonWriter& w, const Explanation& line) {
  w.begin_object();
  w.key("rule").string(line.rule);
  w.key("comparison").string(line.comparison);
  w.key("left_value").string(line.left_value);
  w.key("right_value").string(line.right_value);
  w.key("present").boolean(line.present);
  w.key("similarity").number(line.similarity);
  w.key("weight").number(line.weight);
  w.key("contribution").number(line.contribution);
  if (line.modelled) {
    w.key("level").string(line.level);
    w.key("m").number(line.m);
    w.key("u").number(line.u);
    w.key("match_weight").number(line.match_weight);
  }
  w.end_object();
}

}  // namespace oeuvre::engine
