#include "engine/pair_scorer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/mix.h"
#include "core/utf8.h"
#include "engine/amount_similarity.h"
#include "engine/key_hash.h"
#include "engine/similarity.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

// The code-point length of the longer of a and b (the denominator levenshtein_ratio used).
std::size_t utf8_length_of(std::string_view, std::string_view a, std::string_view b) {
  return std::max(utf8_length(a), utf8_length(b));
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

double reference_similarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 1.0;
  std::string_view shorter = a.size() <= b.size() ? a : b, longer = a.size() <= b.size() ? b : a;
  if (shorter.size() >= 4 && longer.find(shorter) != std::string_view::npos) return 0.9;
  // Two neighbouring characters swapped (a typo: "INV2025014094" for "INV2025014049") is one
  // edit, not the two substitutions Levenshtein counts: kept apart from identifiers two edits
  // apart, which in a run of sequential invoice numbers are most often different invoices. (One
  // character changed is one edit below as well.)
  if (a.size() >= 6 && one_typo_apart(a, b)) return 0.9;
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

std::string_view PairScorer::identifier_numbers(bool left_side, int rule,
                                                std::uint32_t i) const {
  const BoundRule& b = bound_[static_cast<std::size_t>(rule)];
  const PreparedColumn& p = left_side ? b.left_prepared : b.right_prepared;
  if (!b.needs_numbers) return {};
  if (!p.keys[i].empty() || p.fallback_numbers.size() == 0) return p.numbers[i];
  return p.fallback_numbers[i];
}

std::optional<std::uint64_t> PairScorer::equality_key(bool left_side, int rule,
                                                      std::uint32_t i) const {
  const BoundRule& b = bound_[static_cast<std::size_t>(rule)];
  const Operand x = operand(b, left_side);
  switch (b.rule.comparator) {
    case Comparator::kAmount: {
      std::int64_t a = number_of(x.table, x.field, i);
      if (a == INT64_MIN) return std::nullopt;
      if (b.rule.sign == SignMode::kAbsolute) a = magnitude(a);
      if (b.rule.sign == SignMode::kOpposite && !left_side) a = -a;
      return splitmix64(static_cast<std::uint64_t>(a) ^
                        splitmix64(static_cast<std::uint64_t>(currency(left_side, i))));
    }
    case Comparator::kDate: {
      // A birth date in a text column may have its digits only (date_similarity.h).
      const DateValue d = date_value(b, x, i);
      if (d.empty()) return std::nullopt;
      return splitmix64(d.digits != 0 ? d.digits : static_cast<std::uint64_t>(d.days));
    }
    case Comparator::kText: {
      const std::string_view v = b.needs_text     ? x.prepared.text[i]
                                 : b.needs_tokens ? x.prepared.tokens[i]
                                                  : x.prepared.keys[i];
      if (v.empty()) return std::nullopt;
      return hash_of(v);
    }
    case Comparator::kExact:
    case Comparator::kContains:
      if (x.prepared.keys[i].empty()) return std::nullopt;
      return hash_of(x.prepared.keys[i]);
  }
  return std::nullopt;
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
      // A key quoting several identifiers ("INV-2025-105840 INV-2025-105166" is the key
      // INV2025105840INV2025105166) gives each as a word: it starts again at each letter after a
      // digit. A key of one identifier is one word, as it is.
      const std::string_view key = p.keys[i];
      std::size_t start = 0;
      for (std::size_t k = 1; k <= key.size(); ++k) {
        const bool cut = k == key.size() || (is_ascii_digit(key[k - 1]) && !is_ascii_digit(key[k]));
        if (!cut) continue;
        if (k - start >= 3) out.push_back(key.substr(start, k - start));
        start = k;
      }
      // And its identifying numbers as written, which another way of writing it shares
      // ("Inv 105395", and the "105395" in the invoice's description).
      if (b.needs_numbers)
        for_each_identifying_number(p.numbers[i], [&](std::string_view n) { out.push_back(n); });
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
      return amount_similarity(rule, number_of(x.table, x.field, l),
                               number_of(y.table, y.field, r));
    case Comparator::kDate:
      return date_similarity(rule, date_value(b, x, l), date_value(b, y, r), present);
    case Comparator::kExact: {
      std::string_view a = x.prepared.keys[l], c = y.prepared.keys[r];
      if (a.empty() || c.empty()) return fallback_similarity(x, l, a, y, r, c, present);
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
        if (rule.method == TextMethod::kReference)
          return fallback_similarity(x, l, x.prepared.keys[l], y, r, y.prepared.keys[r], present);
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
            s = std::max(s, token_set_ratio_of_sorted(x.prepared.tokens[l], y.prepared.tokens[r]));
          // A truncated reference: one key is a prefix of the other.
          if (ka.size() > kc.size()) std::swap(ka, kc);
          if (ka.size() >= 4 && kc.compare(0, ka.size(), ka) == 0) s = std::max(s, 0.9);
          break;
        }
        case TextMethod::kReference:
          s = reference_similarity(x.prepared.keys[l], y.prepared.keys[r]);
          // The same identifier written another way: "Inv 105395" for INV-2025-105395; a
          // typo apart, as one edit is.
          if (s < 1.0) {
            const std::string_view a = x.prepared.numbers[l], c = y.prepared.numbers[r];
            if (identifier_numbers_agree(a, c)) {
              s = 1.0;
            } else if (s < 0.9 && identifier_numbers_a_typo_apart(a, c)) {
              s = 0.9;
            }
          }
          break;
      }
      return s < rule.min_similarity ? 0.0 : s;
    }
  }
  return 0;
}

double PairScorer::fallback_similarity(const Operand& x, std::uint32_t l, std::string_view a,
                                       const Operand& y, std::uint32_t r, std::string_view c,
                                       bool& present) {
  present = false;
  // Only one side empty: the other's key is looked for in the empty side's fallback field.
  if (a.empty() == c.empty()) return 0;
  const StringColumn& fallback = a.empty() ? x.prepared.fallback : y.prepared.fallback;
  const std::string_view key = a.empty() ? c : a;
  if (fallback.size() == 0 || key.size() < kMinFallbackKey) return 0;
  const std::size_t i = a.empty() ? l : r;
  if (fallback[i].find(key) != std::string_view::npos) {
    present = true;
    return 1.0;
  }
  // Or its identifying numbers, written another way ("PAYMENT INV 105395 ACME").
  const StringColumn& numbers = a.empty() ? x.prepared.fallback_numbers
                                          : y.prepared.fallback_numbers;
  if (numbers.size() == 0) return 0;
  const StringColumn& key_numbers = a.empty() ? y.prepared.numbers : x.prepared.numbers;
  const std::string_view identifier = key_numbers[a.empty() ? r : l];
  if (identifier_numbers_in_text(identifier, numbers[i])) {
    present = true;
    return 1.0;
  }
  // A field quoting another identifier of the same kind disagrees, as a reference would.
  present = text_quotes_another_identifier(identifier, numbers[i]);
  return 0;
}

// The evidence of the rules as score_pair and combine_group gather it: the weighted mean of their
// similarities, and with a model the sum of their match weights.
struct PairScorer::WeightedSum {
  const ModelWeights* model = nullptr;
  double weighted = 0, weights = 0, bits = 0;
  // A left-right pair's records, whose values' frequencies adjust the top levels' weights; or a
  // group's target, whose amount's frequency adjusts the amount rule's.
  bool pair = false;
  std::uint32_t l = 0, r = 0;
  int amount_rule = -1;
  GroupTarget target;
  // Records rule k's similarity `s` (in out[k] when out is set). False when the rule is required
  // and its values disagree: the pair or group is not a match at all.
  bool add(std::size_t k, const FieldRule& rule, bool present, double s, FieldScore* out) {
    if (present && rule.required && s <= 0) return false;
    record(k, rule, present, s, out);
    return true;
  }
  void record(std::size_t k, const FieldRule& rule, bool present, double s, FieldScore* out) {
    double w = 0;
    if (present && model != nullptr) {
      if (pair) {
        w = model->pair_weight(k, s, l, r);
      } else if (target.index != UINT32_MAX && static_cast<int>(k) == amount_rule) {
        w = model->target_weight(k, s, target.left_side, target.index);
      } else {
        w = model->weight(k, s);
      }
      bits += w;
    }
    if (out != nullptr)
      out[k] = FieldScore{static_cast<std::uint16_t>(k), present, present ? s : 0, 0, w};
    if (present) {
      weighted += rule.weight * s;
      weights += rule.weight;
    }
  }
};

PairScorer::WeightedSum PairScorer::start_sum() const {
  WeightedSum sum;
  if (model_) sum.model = &model_weights_;
  return sum;
}

double PairScorer::finish(const WeightedSum& sum, FieldScore* out) const {
  if (sum.weights <= 0) return -1;
  if (sum.model != nullptr) {
    const double confidence = weight_to_probability(sum.model->prior_weight + sum.bits);
    if (out != nullptr) {
      double positive = 0;
      for (std::size_t k = 0; k < bound_.size(); ++k)
        positive += std::max(0.0, out[k].match_weight);
      for (std::size_t k = 0; k < bound_.size(); ++k) {
        out[k].contribution =
            positive > 0 ? confidence * std::max(0.0, out[k].match_weight) / positive : 0;
      }
    }
    return confidence;
  }
  const double confidence = std::clamp(sum.weighted / sum.weights, 0.0, 1.0);
  if (out != nullptr) {
    for (std::size_t k = 0; k < bound_.size(); ++k) {
      if (out[k].present)
        out[k].contribution = bound_[k].rule.weight * out[k].similarity / sum.weights;
    }
  }
  return confidence;
}

double PairScorer::confidence_of(FieldScore* out) const {
  WeightedSum sum = start_sum();
  for (std::size_t k = 0; k < bound_.size(); ++k)
    sum.record(k, bound_[k].rule, out[k].present, out[k].similarity, out);
  return finish(sum, out);
}

double PairScorer::score_pair(std::uint32_t l, std::uint32_t r, FieldScore* out) const {
  WeightedSum sum = start_sum();
  sum.pair = true;
  sum.l = l;
  sum.r = r;
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const BoundRule& b = bound_[k];
    bool present = false;
    const double s = similarity(b, l, r, present);
    if (!sum.add(k, b.rule, present, s, out)) return -1;
  }
  return finish(sum, out);
}

double PairScorer::score_offset(bool left_side, std::uint32_t a, std::uint32_t b, int window_days,
                                FieldScore* out) const {
  // By the rules' weights even with a model: a model describes pairs across the two sides (its u
  // and prior are those of left-right pairs), not a record and its reversal on one side.
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
  return finish(sum, out);
}

void PairScorer::rule_similarities(std::uint32_t l, std::uint32_t r, FieldScore* out) const {
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    bool present = false;
    const double s = similarity(bound_[k], l, r, present);
    out[k] = FieldScore{static_cast<std::uint16_t>(k), present, present ? s : 0, 0};
  }
}

double PairScorer::combine_group(std::span<const FieldScore* const> pairs, std::int64_t left_sum,
                                 std::int64_t right_sum, FieldScore* out, PartText text,
                                 GroupTarget target) const {
  if (pairs.empty()) return -1;
  WeightedSum sum = start_sum();
  sum.amount_rule = amount_rule_;
  sum.target = target;
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
        // With a model, a 1:N group (one left target: a payment of several invoices) counts its
        // best part: the payment quotes one of the invoices it pays, and the mean of "equal" and
        // "different" is a level neither is. An N:1 group (instalments of one invoice) keeps the
        // mean: an instalment quotes this invoice or nothing, and a part quoting another one is
        // likely the payment of that other invoice.
        const bool best_part =
            text == PartText::kBest ||
            (model_ != nullptr && target.index != UINT32_MAX && target.left_side);
        s = b.rule.comparator == Comparator::kDate ? worst : best_part ? best : total / counted;
      }
    }
    if (!sum.add(k, b.rule, present, s, out)) return -1;
  }
  return finish(sum, out);
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

PairScorer::TextWeights PairScorer::text_match_weights(std::uint32_t l, std::uint32_t r,
                                                       const FieldScore* similarities) const {
  if (!model_) return {};
  TextWeights w{0, -std::numeric_limits<double>::infinity()};
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const Comparator c = bound_[k].rule.comparator;
    if (c == Comparator::kAmount || c == Comparator::kDate || !similarities[k].present) continue;
    const double bits = model_weights_.pair_weight(k, similarities[k].similarity, l, r);
    w.sum += bits;
    w.best = std::max(w.best, bits);
    if (bits < 0 && is_key_rule(bound_[k].rule)) w.key_disagrees = true;
  }
  return w;
}

}  // namespace oeuvre::engine
