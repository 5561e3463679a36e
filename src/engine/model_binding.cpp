// PairScorer's match model: binding a Fellegi-Sunter model to the applied rules (use_model,
// model_fits), and the equality keys of every rule (value_keys) whose frequencies on both sides
// adjust the weight of agreeing on a value (value_frequencies). Scoring with the bound model is in
// pair_scorer.cpp (WeightedSum).

#include <algorithm>
#include <atomic>
#include <thread>

#include "engine/pair_scorer.h"

namespace oeuvre::engine {

ValueKeys PairScorer::value_keys(int threads) const {
  ValueKeys keys;
  const std::size_t rules = bound_.size();
  keys.left.resize(rules);
  keys.right.resize(rules);
  // One task per rule and side, shared among the threads.
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t task = next++; task < 2 * rules; task = next++) {
      const bool left_side = task % 2 == 0;
      const auto rule = static_cast<int>(task / 2);
      std::vector<KeyEntry>& out = (left_side ? keys.left : keys.right)[task / 2];
      const std::size_t n = (left_side ? left_ : right_)->size();
      out.reserve(n);
      for (std::uint32_t i = 0; i < n; ++i) {
        if (auto k = equality_key(left_side, rule, i)) out.push_back({*k, i});
      }
      std::sort(out.begin(), out.end());
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min<int>(threads, static_cast<int>(2 * rules)); ++t)
    pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return keys;
}

double PairScorer::value_frequencies(const std::vector<KeyEntry>& left_keys,
                                     const std::vector<KeyEntry>& right_keys,
                                     std::vector<float>& left, std::vector<float>& right) {
  const auto total = static_cast<double>(left_keys.size() + right_keys.size());
  double agreeing = 0, weighted = 0;
  std::size_t i = 0, j = 0;
  while (i < left_keys.size() || j < right_keys.size()) {
    const std::uint64_t h =
        j == right_keys.size() || (i < left_keys.size() && left_keys[i].hash < right_keys[j].hash)
            ? left_keys[i].hash
            : right_keys[j].hash;
    std::size_t li = i, rj = j;
    while (i < left_keys.size() && left_keys[i].hash == h) ++i;
    while (j < right_keys.size() && right_keys[j].hash == h) ++j;
    const auto f = static_cast<float>(static_cast<double>(i - li + j - rj) / total);
    for (std::size_t k = li; k < i; ++k) left[left_keys[k].index] = f;
    for (std::size_t k = rj; k < j; ++k) right[right_keys[k].index] = f;
    const double pairs = static_cast<double>(i - li) * static_cast<double>(j - rj);
    agreeing += pairs;
    weighted += pairs * f;
  }
  return agreeing > 0 ? weighted / agreeing : 0;
}

bool PairScorer::model_fits(const MatchModel& model) const {
  return std::all_of(bound_.begin(), bound_.end(), [&](const BoundRule& b) {
    const RuleModel* levels = model.find(b.rule.name);
    return levels != nullptr && !levels->levels.empty();
  });
}

Status PairScorer::use_model(std::shared_ptr<const MatchModel> model, const ValueKeys* keys,
                             int threads) {
  ModelWeights weights;
  weights.prior_weight = prior_weight(model->prior);
  std::vector<FieldError> errors;
  for (const BoundRule& b : bound_) {
    const RuleModel* levels = model->find(b.rule.name);
    if (levels == nullptr || levels->levels.empty()) {
      errors.push_back({"model.rules", "has no levels for the rule '" + b.rule.name + "'"});
      weights.bounds.emplace_back();
      weights.weights.emplace_back();
      continue;
    }
    std::vector<double> bounds, bits;
    for (const ModelLevel& level : levels->levels) {
      bounds.push_back(level.min_similarity);
      bits.push_back(level_weight(level));
    }
    weights.bounds.push_back(std::move(bounds));
    weights.weights.push_back(std::move(bits));
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));
  weights.left_frequency.resize(bound_.size());
  weights.right_frequency.resize(bound_.size());
  weights.u_per_frequency.assign(bound_.size(), 0);
  ValueKeys built;
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const RuleModel& levels = *model->find(bound_[k].rule.name);
    weights.top_m.push_back(levels.levels[0].m);
    // Equality levels only (the top level of a date rule is a day, not a value worth weighing).
    if (bound_[k].rule.comparator == Comparator::kDate || levels.levels.size() < 2 ||
        levels.levels[0].min_similarity < 0.999)
      continue;
    if (keys == nullptr) {
      built = value_keys(threads);
      keys = &built;
    }
    weights.left_frequency[k].assign(left_->size(), 0);
    weights.right_frequency[k].assign(right_->size(), 0);
    const double mean = value_frequencies(keys->left[k], keys->right[k], weights.left_frequency[k],
                                          weights.right_frequency[k]);
    weights.u_per_frequency[k] = mean > 0 ? levels.levels[0].u / mean : 0;
    if (mean <= 0) {  // no value is on both sides: nothing to adjust
      weights.left_frequency[k].clear();
      weights.right_frequency[k].clear();
    }
  }
  model_ = std::move(model);
  model_weights_ = std::move(weights);
  return OkStatus();
}

}  // namespace oeuvre::engine
