#pragma once
// MatchModel: Fellegi–Sunter weights for the rules of a RuleSet, learned from the records being
// reconciled (model_estimation.h) or loaded from a file, instead of hand-set weights.
//
// Each rule's similarity falls into one of a few comparison levels ("exact", "within tolerance",
// "different", ...), each level a lower bound on the similarity. For every level the model holds
//   m = P(the pair's values fall in this level | the records are a true match)
//   u = P(the pair's values fall in this level | the records are unrelated)
// and a pair's match weight is log2(prior / (1 - prior)) + sum over the rules present of
// log2(m / u): the log-odds that the pair is a match. Its confidence is that turned into a
// probability, 1 / (1 + 2^-weight). A rule whose value is empty on either side adds nothing (its
// Bayes factor is 1). Agreement that random pairs often show (one of twelve counterparty names, a
// recurring amount) has u close to m and counts for little; rare agreement (an invoice number)
// counts for much.
//
// JSON (the "model" key of the rules; see docs/engine.md):
//   "model": "learn"                  estimate the model from the records being reconciled
//   "model": {"prior": 5e-6, "rules": [{"rule": "amount", "levels": [
//       {"label": "exact", "min_similarity": 1, "m": 0.93, "u": 0.0004}, ...]}, ...]}
// Levels are listed from the highest min_similarity down; the last has min_similarity 0. A pair's
// level for a rule is the first whose min_similarity its similarity reaches.
// Thread-safety: value types.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/rules.h"

namespace oeuvre::engine {

struct ModelLevel {
  std::string label;
  double min_similarity = 0;
  double m = 0.5;
  double u = 0.5;
};

struct RuleModel {
  std::string rule;  // the FieldRule's name
  std::vector<ModelLevel> levels;
};

// How the model was estimated, for the record (not used in scoring).
struct ModelEstimate {
  std::uint64_t u_pairs = 0;   // random pairs sampled for u
  std::uint64_t em_pairs = 0;  // pairs the EM sessions ran over
  int em_sessions = 0;
  int em_iterations = 0;  // over all sessions
};

struct MatchModel {
  double prior = 0;  // P(match) for a left-right pair drawn at random
  std::vector<RuleModel> rules;
  ModelEstimate estimate;

  const RuleModel* find(std::string_view rule) const;
};

inline constexpr std::size_t kMaxModelLevels = 8;
// m and u are kept within [kMinProbability, 1 - kMinProbability], so no weight is infinite.
inline constexpr double kMinProbability = 1e-9;

// The comparison levels a rule is estimated with: labels and lower bounds of the similarity, from
// the top level down (m and u left at 0.5).
std::vector<ModelLevel> default_levels(const FieldRule& rule);

// The index of the level a similarity falls in (levels as validated: descending bounds, last 0).
std::size_t level_of(const std::vector<ModelLevel>& levels, double similarity);

// log2(m / u) of a level.
double level_weight(const ModelLevel& level);
// log2(prior / (1 - prior)).
double prior_weight(double prior);
// 1 / (1 + 2^-weight).
double weight_to_probability(double weight);

// Reads a model object (the value of "model" when it is an object). Errors are field errors
// under `path` ("model.rules[1].levels[0].m: must be a number > 0 and < 1").
Result<MatchModel> model_from_json(const boost::json::value& value, const std::string& path);
boost::json::object model_to_json(const MatchModel& model);

// Checks that `model` covers the rules: a level list for every rule of `rules` by name (rules it
// names that are not in `rules` are refused too, as a model meant for other rules).
Status check_model_fits(const MatchModel& model, const RuleSet& rules);

}  // namespace oeuvre::engine
