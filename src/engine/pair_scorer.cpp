#include "engine/pair_scorer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/utf8.h"
#include "engine/amount_similarity.h"
#include "engine/similarity.h"

namespace oeuvre::engine {
namespace {

// The code-point length of the longer of a and b (the denominator levenshtein_ratio used).
std::size_t utf8_length_of(std::string_view, std::string_view a, std::string_view b) {
  return std::max(utf8_length(a), utf8_length(b));
}

double reference_similarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 1.0;
  std::string_view shorter = a.size() <= b.size() ? a : b, longer = a.size() <= b.size() ? b : a;
  if (shorter.size() >= 4 && longer.find(shorter) != std::string_view::npos) return 0.9;
  // Identifiers that differ by more than a typo or two are different identifiers, however many
  // characters they share ("inv2025100495" and "inv20251063064"): the similarity falls steeply, as
  // the fourth power of the Levenshtein ratio.
  const double ratio = levenshtein_ratio(a, b);
  if (longer.size() >= 6) {
    const std::size_t edits = static_cast<std::size_t>(
        std::lround((1.0 - ratio) * static_cast<double>(utf8_length_of(longer, a, b))));
    if (edits == 1) return 0.9;
    if (edits == 2) return 0.8;
  }
  return ratio * ratio * ratio * ratio;
}

}  // namespace

std::int64_t PairScorer::amount(bool left_side, std::uint32_t i) const {
  const BoundRule& b = bound_[static_cast<std::size_t>(amount_rule_)];
  return left_side ? number_of(*left_, b.left, i) : number_of(*right_, b.right, i);
}

std::int32_t PairScorer::date(bool left_side, std::uint32_t i) const {
  if (date_rule_ < 0) return kNoDate;
  const BoundRule& b = bound_[static_cast<std::size_t>(date_rule_)];
  return date_value(b, operand(b, left_side), i).days;
}

std::string_view PairScorer::key(bool left_side, int rule, std::uint32_t i) const {
  const BoundRule& b = bound_[static_cast<std::size_t>(rule)];
  return (left_side ? b.left_prepared : b.right_prepared).keys[i];
}

void PairScorer::words(bool left_side, std::uint32_t i, std::vector<std::string_view>& out) const {
  out.clear();
  for (const BoundRule& b : bound_) {
    const PreparedColumn& p = left_side ? b.left_prepared : b.right_prepared;
    std::string_view text;
    if (b.needs_text) {
      text = p.text[i];
    } else if (b.needs_tokens) {
      text = p.tokens[i];
    } else if (b.needs_keys) {
      if (p.keys[i].size() >= 3) out.push_back(p.keys[i]);
      continue;
    } else {
      continue;
    }
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find(' ', start);
      if (end == std::string_view::npos) end = text.size();
      if (end - start >= 2) out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }
}

std::int64_t PairScorer::amount_tolerance(std::int64_t a, std::int64_t b) const {
  return amount_tolerance_for(bound_[static_cast<std::size_t>(amount_rule_)].rule, a, b);
}

std::int64_t PairScorer::amount_search_tolerance(std::int64_t a) const {
  const FieldRule& rule = bound_[static_cast<std::size_t>(amount_rule_)].rule;
  // The partner b may be larger than a: tolerance t satisfies t >= p * (|a| + t).
  const double p = rule.tolerance_percent / 100.0;
  double t = p >= 1.0 ? 9e18 : p * static_cast<double>(magnitude(a)) / (1.0 - p);
  t = std::min(t, 9e18);
  return std::max(rule.tolerance_minor, static_cast<std::int64_t>(t) + 1);
}

SignMode PairScorer::amount_sign() const {
  return bound_[static_cast<std::size_t>(amount_rule_)].rule.sign;
}

int PairScorer::date_window() const {
  if (date_rule_ < 0) return 0;
  const FieldRule& rule = bound_[static_cast<std::size_t>(date_rule_)].rule;
  // Business days: a calendar window wide enough to hold that many weekdays (plus weekends).
  return rule.business_days ? rule.window_days + 2 * (rule.window_days / 5 + 1) : rule.window_days;
}

bool PairScorer::date_required() const {
  return date_rule_ >= 0 && bound_[static_cast<std::size_t>(date_rule_)].rule.required;
}

double PairScorer::similarity(const BoundRule& b, const Operand& x, std::uint32_t l,
                              const Operand& y, std::uint32_t r, bool& present) const {
  const FieldRule& rule = b.rule;
  present = true;
  switch (rule.comparator) {
    case Comparator::kAmount:
      return amount_similarity(rule, number_of(x.table, x.field, l), number_of(y.table, y.field, r));
    case Comparator::kDate:
      return date_similarity(rule, date_value(b, x, l), date_value(b, y, r), present);
    case Comparator::kExact: {
      std::string_view a = x.prepared.keys[l], c = y.prepared.keys[r];
      if (a.empty() || c.empty()) {
        present = false;
        return 0;
      }
      return a == c ? 1.0 : 0.0;
    }
    case Comparator::kContains: {
      std::string_view a = x.prepared.keys[l], c = y.prepared.keys[r];
      if (a.empty() || c.empty()) {
        present = false;
        return 0;
      }
      if (a.size() > c.size()) std::swap(a, c);
      return a.size() >= 3 && c.find(a) != std::string_view::npos ? 1.0 : 0.0;
    }
    case Comparator::kText: {
      // Presence from whichever normalised form this method keeps.
      const StringColumn& left_column = b.needs_text     ? x.prepared.text
                                        : b.needs_tokens ? x.prepared.tokens
                                                         : x.prepared.keys;
      const StringColumn& right_column = b.needs_text     ? y.prepared.text
                                         : b.needs_tokens ? y.prepared.tokens
                                                          : y.prepared.keys;
      std::string_view a = left_column[l], c = right_column[r];
      if (a.empty() || c.empty()) {
        present = false;
        return 0;
      }
      double s = 0;
      switch (rule.method) {
        case TextMethod::kJaroWinkler:
          s = jaro_winkler(a, c);
          break;
        case TextMethod::kLevenshtein:
          s = levenshtein_ratio(a, c);
          break;
        case TextMethod::kTokenSet:
          s = token_set_ratio_of_sorted(x.prepared.tokens[l], y.prepared.tokens[r]);
          break;
        case TextMethod::kBest: {
          std::string_view ka = x.prepared.keys[l], kc = y.prepared.keys[r];
          if (!ka.empty() && ka == kc) {
            s = 1.0;
            break;
          }
          s = jaro_winkler(a, c);
          if (s < 0.95)
            s = std::max(s, token_set_ratio_of_sorted(x.prepared.tokens[l],
                                                      y.prepared.tokens[r]));
          // A truncated reference: one key is a prefix of the other.
          if (ka.size() > kc.size()) std::swap(ka, kc);
          if (ka.size() >= 4 && kc.compare(0, ka.size(), ka) == 0) s = std::max(s, 0.9);
          break;
        }
        case TextMethod::kReference:
          s = reference_similarity(x.prepared.keys[l], y.prepared.keys[r]);
          break;
      }
      return s < rule.min_similarity ? 0.0 : s;
    }
  }
  return 0;
}

namespace {

// The weighted mean of the rules' similarities, as score_pair and combine_group build it.
struct WeightedSum {
  double weighted = 0, weights = 0;
  // Records rule k's similarity `s` (in out[k] when out is set). False when the rule is required
  // and its values disagree: the pair or group is not a match at all.
  bool add(std::size_t k, const FieldRule& rule, bool present, double s, FieldScore* out) {
    if (present && rule.required && s <= 0) return false;
    if (out != nullptr) out[k] = FieldScore{static_cast<std::uint16_t>(k), present, present ? s : 0, 0};
    if (present) {
      weighted += rule.weight * s;
      weights += rule.weight;
    }
    return true;
  }
};

}  // namespace

double PairScorer::finish(double weighted, double weights, FieldScore* out) const {
  if (weights <= 0) return -1;
  const double confidence = std::clamp(weighted / weights, 0.0, 1.0);
  if (out != nullptr) {
    for (std::size_t k = 0; k < bound_.size(); ++k) {
      if (out[k].present) out[k].contribution = bound_[k].rule.weight * out[k].similarity / weights;
    }
  }
  return confidence;
}

double PairScorer::score_pair(std::uint32_t l, std::uint32_t r, FieldScore* out) const {
  WeightedSum sum;
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const BoundRule& b = bound_[k];
    bool present = false;
    const double s = similarity(b, l, r, present);
    if (!sum.add(k, b.rule, present, s, out)) return -1;
  }
  return finish(sum.weighted, sum.weights, out);
}

double PairScorer::score_offset(bool left_side, std::uint32_t a, std::uint32_t b, int window_days,
                                FieldScore* out) const {
  WeightedSum sum;
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const BoundRule& rule = bound_[k];
    const Operand side = operand(rule, left_side);
    bool present = true;
    double s = 0;
    if (rule.rule.comparator == Comparator::kAmount) {
      const std::int64_t x = number_of(side.table, side.field, a);
      const std::int64_t y = number_of(side.table, side.field, b);
      if (x == 0 || x == INT64_MIN || x != -y) return -1;
      s = 1;
    } else if (rule.rule.comparator == Comparator::kDate) {
      const std::int64_t x = date_value(rule, side, a).days;
      const std::int64_t y = date_value(rule, side, b).days;
      present = x != kNoDate && y != kNoDate;
      if (present) {
        const std::int64_t diff = std::llabs(x - y);
        if (diff > window_days) return -1;
        s = window_days == 0 ? 1.0 : 1.0 - 0.5 * static_cast<double>(diff) / window_days;
      }
    } else {
      s = similarity(rule, side, a, side, b, present);
    }
    if (!sum.add(k, rule.rule, present, s, out)) return -1;
  }
  return finish(sum.weighted, sum.weights, out);
}

void PairScorer::rule_similarities(std::uint32_t l, std::uint32_t r, FieldScore* out) const {
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    bool present = false;
    const double s = similarity(bound_[k], l, r, present);
    out[k] = FieldScore{static_cast<std::uint16_t>(k), present, present ? s : 0, 0};
  }
}

double PairScorer::combine_group(std::span<const FieldScore* const> pairs, std::int64_t left_sum,
                                 std::int64_t right_sum, FieldScore* out, PartText text) const {
  if (pairs.empty()) return -1;
  WeightedSum sum;
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const BoundRule& b = bound_[k];
    bool present = false;
    double s = 0;
    if (b.rule.comparator == Comparator::kAmount) {
      s = amount_similarity(b.rule, left_sum, right_sum);
      present = true;
    } else {
      double total = 0, worst = 1, best = 0;
      int counted = 0;
      for (const FieldScore* pair : pairs) {
        if (!pair[k].present) continue;
        total += pair[k].similarity;
        worst = std::min(worst, pair[k].similarity);
        best = std::max(best, pair[k].similarity);
        ++counted;
      }
      if (counted > 0) {
        present = true;
        s = b.rule.comparator == Comparator::kDate ? worst
            : text == PartText::kBest              ? best
                                                   : total / counted;
      }
    }
    if (!sum.add(k, b.rule, present, s, out)) return -1;
  }
  return finish(sum.weighted, sum.weights, out);
}

double PairScorer::score_group(std::span<const std::uint32_t> lefts,
                               std::span<const std::uint32_t> rights, FieldScore* out) const {
  if (lefts.empty() || rights.empty()) return -1;
  const std::size_t rules = bound_.size();
  std::vector<FieldScore> similarities(lefts.size() * rights.size() * rules);
  std::vector<const FieldScore*> pairs;
  for (std::uint32_t l : lefts) {
    for (std::uint32_t r : rights) {
      FieldScore* slot = similarities.data() + pairs.size() * rules;
      rule_similarities(l, r, slot);
      pairs.push_back(slot);
    }
  }
  __int128 left_sum = 0, right_sum = 0;
  if (amount_rule_ >= 0) {
    const BoundRule& a = bound_[static_cast<std::size_t>(amount_rule_)];
    for (std::uint32_t l : lefts) left_sum += number_of(*left_, a.left, l);
    for (std::uint32_t r : rights) right_sum += number_of(*right_, a.right, r);
  }
  return combine_group(pairs, clamp128(left_sum), clamp128(right_sum), out);
}

std::int64_t PairScorer::group_tolerance() const {
  return amount_rule_ < 0 ? 0 : bound_[static_cast<std::size_t>(amount_rule_)].rule.tolerance_minor;
}

double PairScorer::text_affinity(std::uint32_t l, std::uint32_t r) const {
  double weighted = 0, weights = 0;
  for (const BoundRule& b : bound_) {
    if (b.rule.comparator == Comparator::kAmount || b.rule.comparator == Comparator::kDate)
      continue;
    bool present = false;
    double s = similarity(b, l, r, present);
    if (!present) continue;
    weighted += b.rule.weight * s;
    weights += b.rule.weight;
  }
  return weights > 0 ? weighted / weights : 0.0;
}

}  // namespace oeuvre::engine
