#include "engine/pair_scorer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "core/money.h"
#include "core/utf8.h"
#include "engine/parallel_for.h"
#include "engine/similarity.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

using Kind = FieldRef::Kind;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<FieldRef> resolve_standard(const RecordTable& table, const std::string& n);

std::optional<FieldRef> resolve(const RecordTable& table, std::string_view name) {
  std::string n = lower(name);
  if (auto found = resolve_standard(table, n)) return found;
  for (const auto& [column, field] : table.column_names) {
    if (lower(column) == n) return resolve_standard(table, lower(field));
  }
  return std::nullopt;
}

std::optional<FieldRef> resolve_standard(const RecordTable& table, const std::string& n) {
  if (n == "id") return FieldRef{Kind::kId, 0};
  if (n == "date") return FieldRef{Kind::kDate, 0};
  if (n == "amount") return FieldRef{Kind::kAmount, 0};
  if (n == "currency") return FieldRef{Kind::kCurrency, 0};
  if (n == "reference") return FieldRef{Kind::kReference, 0};
  if (n == "description") return FieldRef{Kind::kDescription, 0};
  if (n == "counterparty") return FieldRef{Kind::kCounterparty, 0};
  for (std::size_t i = 0; i < table.extras.size(); ++i) {
    if (lower(table.extras[i].name) == n) return FieldRef{Kind::kExtra, i};
  }
  return std::nullopt;
}

bool is_present(const RecordTable& t, const FieldRef& f) {
  switch (f.kind) {
    case Kind::kId:
      return true;
    case Kind::kDate:
      return t.has_date;
    case Kind::kAmount:
      return t.has_amount;
    case Kind::kCurrency:
      return t.has_currency;
    case Kind::kReference:
      return t.has_reference;
    case Kind::kDescription:
      return t.has_description;
    case Kind::kCounterparty:
      return t.has_counterparty;
    case Kind::kExtra:
      return true;
  }
  return false;
}

enum class ValueType { kText, kNumber, kDate };

ValueType type_of(const RecordTable& t, const FieldRef& f) {
  switch (f.kind) {
    case Kind::kDate:
      return ValueType::kDate;
    case Kind::kAmount:
      return ValueType::kNumber;
    case Kind::kExtra:
      switch (t.extras[f.extra].kind) {
        case ExtraKind::kText:
          return ValueType::kText;
        case ExtraKind::kNumber:
          return ValueType::kNumber;
        case ExtraKind::kDate:
          return ValueType::kDate;
      }
      return ValueType::kText;
    default:
      return ValueType::kText;
  }
}

std::string_view text_of(const RecordTable& t, const FieldRef& f, std::size_t i) {
  switch (f.kind) {
    case Kind::kId:
      return t.ids[i];
    case Kind::kCurrency:
      return t.currencies[i];
    case Kind::kReference:
      return t.references[i];
    case Kind::kDescription:
      return t.descriptions[i];
    case Kind::kCounterparty:
      return t.counterparties[i];
    case Kind::kExtra:
      return t.extras[f.extra].text[i];
    default:
      return {};
  }
}

[[gnu::always_inline]] inline std::int64_t number_of(const RecordTable& t, const FieldRef& f,
                                                     std::size_t i) {
  if (f.kind == Kind::kAmount) return t.amounts[i];
  if (f.kind == Kind::kDate) return t.dates[i];
  return t.extras[f.extra].numbers[i];
}

std::string_view cut(std::string_view text) { return cut_utf8(text, kMaxComparedBytes); }

std::int64_t magnitude(std::int64_t v) { return v == INT64_MIN ? INT64_MAX : std::llabs(v); }

std::int64_t clamp128(__int128 v) {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<std::int64_t>(v);
}

std::int64_t amount_difference(SignMode sign, std::int64_t a, std::int64_t b) {
  __int128 d;
  switch (sign) {
    case SignMode::kSame:
      d = static_cast<__int128>(a) - b;
      break;
    case SignMode::kOpposite:
      d = static_cast<__int128>(a) + b;
      break;
    default:
      d = static_cast<__int128>(magnitude(a)) - magnitude(b);
      break;
  }
  if (d < 0) d = -d;
  return clamp128(d);
}

std::int64_t tolerance_for(const FieldRule& rule, std::int64_t a, std::int64_t b) {
  const double larger = static_cast<double>(std::max(magnitude(a), magnitude(b)));
  const double percent = rule.tolerance_percent / 100.0 * larger;
  const auto by_percent = percent >= 9e18 ? INT64_MAX : static_cast<std::int64_t>(percent);
  return std::max(rule.tolerance_minor, by_percent);
}

double amount_similarity(const FieldRule& rule, std::int64_t a, std::int64_t b) {
  const std::int64_t diff = amount_difference(rule.sign, a, b);
  if (diff == 0) return 1.0;
  const std::int64_t tolerance = tolerance_for(rule, a, b);
  if (diff > tolerance) return 0.0;
  // Within tolerance: from 1 (equal) down to 0.2 at the tolerance.
  return 1.0 - 0.8 * static_cast<double>(diff) / static_cast<double>(tolerance);
}

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

Result<PairScorer> PairScorer::create(const RecordTable& left, const RecordTable& right,
                                      const RuleSet& rules, int threads) {
  RETURN_IF_ERROR(validate_rules(rules));
  RETURN_IF_ERROR(left.check_consistent());
  RETURN_IF_ERROR(right.check_consistent());
  if (left.size() >= UINT32_MAX || right.size() >= UINT32_MAX) {
    return Error::Validation("records", "at most 4294967294 records per side");
  }
  PairScorer scorer(left, right);
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < rules.fields.size(); ++i) {
    const FieldRule& rule = rules.fields[i];
    const std::string path = "fields[" + std::to_string(i) + "]";
    auto l = resolve(left, rule.left_field);
    auto r = resolve(right, rule.right_field);
    if (!l)
      errors.push_back(
          {path + ".left", "the left records have no field '" + rule.left_field + "'"});
    if (!r)
      errors.push_back(
          {path + ".right", "the right records have no field '" + rule.right_field + "'"});
    if (!l || !r) continue;
    ValueType lt = type_of(left, *l), rt = type_of(right, *r);
    auto expect = [&](ValueType want, const char* what) {
      if (lt != want || rt != want) {
        errors.push_back({path + ".compare", "'" + std::string(comparator_name(rule.comparator)) +
                                                 "' needs " + what + " fields on both sides"});
        return false;
      }
      return true;
    };
    bool ok = true;
    switch (rule.comparator) {
      case Comparator::kAmount:
        ok = expect(ValueType::kNumber, "amount (numeric)");
        break;
      case Comparator::kDate:
        ok = expect(ValueType::kDate, "date");
        break;
      default:
        ok = expect(ValueType::kText, "text");
        break;
    }
    if (!ok) continue;
    if (!is_present(left, *l) || !is_present(right, *r)) continue;  // a source lacks the column
    BoundRule bound;
    bound.rule = rule;
    bound.left = *l;
    bound.right = *r;
    if (rule.comparator == Comparator::kText) {
      bound.needs_text =
          rule.method != TextMethod::kTokenSet && rule.method != TextMethod::kReference;
      bound.needs_tokens = rule.method == TextMethod::kTokenSet || rule.method == TextMethod::kBest;
      bound.needs_keys = rule.blocking || rule.method == TextMethod::kBest ||
                         rule.method == TextMethod::kReference;
    } else if (rule.comparator == Comparator::kExact || rule.comparator == Comparator::kContains) {
      bound.needs_keys = true;
    }
    scorer.bound_.push_back(std::move(bound));
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));
  // Cheap, decisive rules first so a failing required rule stops the scoring early.
  std::stable_sort(scorer.bound_.begin(), scorer.bound_.end(),
                   [](const BoundRule& a, const BoundRule& b) {
                     auto rank = [](const BoundRule& x) {
                       if (x.rule.comparator == Comparator::kAmount) return 0;
                       if (x.rule.comparator == Comparator::kDate) return 1;
                       if (x.rule.required) return 2;
                       return 3;
                     };
                     return rank(a) < rank(b);
                   });
  for (std::size_t k = 0; k < scorer.bound_.size(); ++k) {
    const BoundRule& b = scorer.bound_[k];
    scorer.applied_.push_back(AppliedRule{b.rule});
    if (b.rule.comparator == Comparator::kAmount && scorer.amount_rule_ < 0)
      scorer.amount_rule_ = static_cast<int>(k);
    if (b.rule.comparator == Comparator::kDate && scorer.date_rule_ < 0) {
      scorer.date_rule_ = static_cast<int>(k);
      scorer.date_window_days_ = b.rule.window_days;
      scorer.date_business_days_ = b.rule.business_days;
    }
    if (b.rule.blocking) scorer.blocking_rules_.push_back(static_cast<int>(k));
  }
  if (scorer.amount_rule_ < 0 && scorer.blocking_rules_.empty()) {
    return Error::Validation("fields",
                             "no rule that can find candidates applies to these records "
                             "(both sides need an amount column, or a blocking field)");
  }
  if (scorer.bound_.size() > UINT16_MAX) return Error::Validation("fields", "too many rules");

  // Normalise every text value once.
  for (BoundRule& b : scorer.bound_) {
    if (!b.needs_text && !b.needs_tokens && !b.needs_keys) continue;
    for (int side = 0; side < 2; ++side) {
      const RecordTable& table = side == 0 ? left : right;
      const FieldRef field = side == 0 ? b.left : b.right;
      PreparedColumn& out = side == 0 ? b.left_prepared : b.right_prepared;
      const std::size_t n = table.size();
      std::vector<PreparedColumn> parts(parallel_workers(n, threads));
      parallel_for(n, threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
        PreparedColumn& part = parts[worker];
        const std::size_t count = end - begin;
        if (b.needs_text) part.text.reserve(count, count * 24);
        if (b.needs_tokens) part.tokens.reserve(count, count * 24);
        if (b.needs_keys) part.keys.reserve(count, count * 12);
        std::string text, scratch;  // reused: no allocation per value
        for (std::size_t i = begin; i < end; ++i) {
          std::string_view raw = cut(text_of(table, field, i));
          if (b.needs_text || b.needs_tokens) normalize_text_into(raw, text);
          if (b.needs_tokens) {
            sorted_token_set_into(text, scratch);
            part.tokens.push_back(scratch);
          }
          if (b.needs_keys) {
            normalize_key_into(raw, scratch);
            part.keys.push_back(scratch);
          }
          if (b.needs_text) part.text.push_back(text);
        }
      });
      auto reserve = [&](StringColumn PreparedColumn::*column) {
        std::size_t count = 0, bytes = 0;
        for (const PreparedColumn& part : parts) {
          count += (part.*column).size();
          bytes += (part.*column).byte_size();
        }
        (out.*column).reserve(count, bytes);
      };
      reserve(&PreparedColumn::text);
      reserve(&PreparedColumn::tokens);
      reserve(&PreparedColumn::keys);
      for (const PreparedColumn& part : parts) {
        out.text.append(part.text);
        out.tokens.append(part.tokens);
        out.keys.append(part.keys);
      }
    }
  }

  // Word sketches for ranking candidates cheaply.
  for (int side = 0; side < 2; ++side) {
    const std::size_t n = side == 0 ? left.size() : right.size();
    auto& sketches = side == 0 ? scorer.left_sketch_ : scorer.right_sketch_;
    sketches.assign(n, 0);
    parallel_for(n, threads, [&](std::size_t begin, std::size_t end, std::size_t) {
      std::vector<std::string_view> words;
      for (std::size_t i = begin; i < end; ++i) {
        scorer.words(side == 0, static_cast<std::uint32_t>(i), words);
        std::uint64_t sketch = 0;
        for (std::string_view w : words) {
          const std::uint64_t h = std::hash<std::string_view>{}(w);
          sketch |= (std::uint64_t{1} << (h & 63)) | (std::uint64_t{1} << ((h >> 6) & 63));
        }
        sketches[i] = sketch;
      }
    });
  }

  // Currencies as small integers shared by both sides; ignored unless both sides have them.
  scorer.left_currency_.assign(left.size(), 0);
  scorer.right_currency_.assign(right.size(), 0);
  scorer.currency_codes_ = {""};
  if (left.has_currency && right.has_currency) {
    std::unordered_map<std::string, std::int32_t> ids{{"", 0}};
    for (int side = 0; side < 2; ++side) {
      const RecordTable& table = side == 0 ? left : right;
      auto& out = side == 0 ? scorer.left_currency_ : scorer.right_currency_;
      std::string previous;
      std::int32_t previous_id = 0;
      for (std::size_t i = 0; i < table.size(); ++i) {
        std::string_view code = table.currencies[i];
        if (i > 0 && code == previous) {
          out[i] = previous_id;
          continue;
        }
        std::string upper(code);
        for (char& c : upper) {
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        auto [it, inserted] = ids.emplace(upper, static_cast<std::int32_t>(ids.size()));
        if (inserted) scorer.currency_codes_.push_back(upper);
        out[i] = previous_id = it->second;
        previous = std::string(code);
      }
    }
  } else if (left.has_currency || right.has_currency) {
    // One side only: report its (first) code in totals, but do not compare.
    const RecordTable& table = left.has_currency ? left : right;
    if (table.size() > 0) scorer.currency_codes_[0] = std::string(table.currencies[0]);
  }
  return scorer;
}

std::int64_t PairScorer::amount(bool left_side, std::uint32_t i) const {
  const BoundRule& b = bound_[static_cast<std::size_t>(amount_rule_)];
  return left_side ? number_of(*left_, b.left, i) : number_of(*right_, b.right, i);
}

std::int32_t PairScorer::date(bool left_side, std::uint32_t i) const {
  if (date_rule_ < 0) return kNoDate;
  const BoundRule& b = bound_[static_cast<std::size_t>(date_rule_)];
  return static_cast<std::int32_t>(left_side ? number_of(*left_, b.left, i)
                                             : number_of(*right_, b.right, i));
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
  return tolerance_for(bound_[static_cast<std::size_t>(amount_rule_)].rule, a, b);
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

double PairScorer::similarity(const BoundRule& b, std::uint32_t l, std::uint32_t r,
                              bool& present) const {
  const FieldRule& rule = b.rule;
  present = true;
  switch (rule.comparator) {
    case Comparator::kAmount:
      return amount_similarity(rule, number_of(*left_, b.left, l), number_of(*right_, b.right, r));
    case Comparator::kDate: {
      const std::int64_t a = number_of(*left_, b.left, l), c = number_of(*right_, b.right, r);
      if (a == kNoDate || c == kNoDate) {
        present = false;
        return 0;
      }
      const std::int64_t diff =
          rule.business_days
              ? business_days_between(static_cast<std::int32_t>(a), static_cast<std::int32_t>(c))
              : std::llabs(a - c);
      if (diff > rule.window_days) return 0;
      if (rule.window_days == 0) return 1;
      return 1.0 - 0.5 * static_cast<double>(diff) / static_cast<double>(rule.window_days);
    }
    case Comparator::kExact: {
      std::string_view a = b.left_prepared.keys[l], c = b.right_prepared.keys[r];
      if (a.empty() || c.empty()) {
        present = false;
        return 0;
      }
      return a == c ? 1.0 : 0.0;
    }
    case Comparator::kContains: {
      std::string_view a = b.left_prepared.keys[l], c = b.right_prepared.keys[r];
      if (a.empty() || c.empty()) {
        present = false;
        return 0;
      }
      if (a.size() > c.size()) std::swap(a, c);
      return a.size() >= 3 && c.find(a) != std::string_view::npos ? 1.0 : 0.0;
    }
    case Comparator::kText: {
      // Presence from whichever normalised form this method keeps.
      const StringColumn& left_column = b.needs_text     ? b.left_prepared.text
                                        : b.needs_tokens ? b.left_prepared.tokens
                                                         : b.left_prepared.keys;
      const StringColumn& right_column = b.needs_text     ? b.right_prepared.text
                                         : b.needs_tokens ? b.right_prepared.tokens
                                                          : b.right_prepared.keys;
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
          s = token_set_ratio_of_sorted(b.left_prepared.tokens[l], b.right_prepared.tokens[r]);
          break;
        case TextMethod::kBest: {
          std::string_view ka = b.left_prepared.keys[l], kc = b.right_prepared.keys[r];
          if (!ka.empty() && ka == kc) {
            s = 1.0;
            break;
          }
          s = jaro_winkler(a, c);
          if (s < 0.95)
            s = std::max(s, token_set_ratio_of_sorted(b.left_prepared.tokens[l],
                                                      b.right_prepared.tokens[r]));
          // A truncated reference: one key is a prefix of the other.
          if (ka.size() > kc.size()) std::swap(ka, kc);
          if (ka.size() >= 4 && kc.compare(0, ka.size(), ka) == 0) s = std::max(s, 0.9);
          break;
        }
        case TextMethod::kReference:
          s = reference_similarity(b.left_prepared.keys[l], b.right_prepared.keys[r]);
          break;
      }
      return s < rule.min_similarity ? 0.0 : s;
    }
  }
  return 0;
}

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
  double weighted = 0, weights = 0;
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const BoundRule& b = bound_[k];
    bool present = false;
    const double s = similarity(b, l, r, present);
    if (present && b.rule.required && s <= 0) return -1;
    if (out != nullptr)
      out[k] = FieldScore{static_cast<std::uint16_t>(k), present, present ? s : 0, 0};
    if (!present) continue;
    weighted += b.rule.weight * s;
    weights += b.rule.weight;
  }
  return finish(weighted, weights, out);
}

void PairScorer::rule_similarities(std::uint32_t l, std::uint32_t r, FieldScore* out) const {
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    bool present = false;
    const double s = similarity(bound_[k], l, r, present);
    out[k] = FieldScore{static_cast<std::uint16_t>(k), present, present ? s : 0, 0};
  }
}

double PairScorer::combine_group(std::span<const FieldScore* const> pairs, std::int64_t left_sum,
                                 std::int64_t right_sum, FieldScore* out) const {
  if (pairs.empty()) return -1;
  double weighted = 0, weights = 0;
  for (std::size_t k = 0; k < bound_.size(); ++k) {
    const BoundRule& b = bound_[k];
    bool present = false;
    double s = 0;
    if (b.rule.comparator == Comparator::kAmount) {
      s = amount_similarity(b.rule, left_sum, right_sum);
      present = true;
    } else {
      double total = 0, worst = 1;
      int counted = 0;
      for (const FieldScore* pair : pairs) {
        if (!pair[k].present) continue;
        total += pair[k].similarity;
        worst = std::min(worst, pair[k].similarity);
        ++counted;
      }
      if (counted > 0) {
        present = true;
        s = b.rule.comparator == Comparator::kDate ? worst : total / counted;
      }
    }
    if (present && b.rule.required && s <= 0) return -1;
    if (out != nullptr)
      out[k] = FieldScore{static_cast<std::uint16_t>(k), present, present ? s : 0, 0};
    if (!present) continue;
    weighted += b.rule.weight * s;
    weights += b.rule.weight;
  }
  return finish(weighted, weights, out);
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

FieldValueRenderer::FieldValueRenderer(const RecordTable& table, std::string_view field)
    : table_(&table) {
  std::optional<FieldRef> resolved = resolve(table, field);
  if (resolved && is_present(table, *resolved)) field_ = resolved;
}

void FieldValueRenderer::render(std::span<const std::uint32_t> indices, std::string& out) const {
  out.clear();
  if (!field_) return;
  const RecordTable& table = *table_;
  const FieldRef field = *field_;
  switch (type_of(table, field)) {
    case ValueType::kNumber: {
      __int128 sum = 0;
      for (std::uint32_t i : indices) sum += number_of(table, field, i);
      if (field.kind == Kind::kAmount) {
        out = format_minor_units(clamp128(sum), table.amount_scale);
      } else {
        out = std::to_string(clamp128(sum));
      }
      return;
    }
    case ValueType::kDate: {
      if (indices.size() == 1) {
        out = format_iso_date(static_cast<std::int32_t>(number_of(table, field, indices[0])));
        return;
      }
      std::vector<std::int32_t> dates;
      for (std::uint32_t i : indices)
        dates.push_back(static_cast<std::int32_t>(number_of(table, field, i)));
      std::sort(dates.begin(), dates.end());
      dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
      for (std::int32_t d : dates) {
        if (!out.empty()) out += "; ";
        out += format_iso_date(d);
      }
      return;
    }
    case ValueType::kText: {
      if (indices.size() == 1) {
        out.assign(text_of(table, field, indices[0]));
        return;
      }
      std::vector<std::string_view> values;
      for (std::uint32_t i : indices) {
        std::string_view v = text_of(table, field, i);
        if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
      }
      for (std::string_view v : values) {
        if (!out.empty()) out += "; ";
        out.append(v);
      }
      return;
    }
  }
}

std::string_view FieldValueRenderer::render_view(std::span<const std::uint32_t> indices,
                                                 std::string& scratch) const {
  if (field_ && indices.size() == 1 && type_of(*table_, *field_) == ValueType::kText)
    return text_of(*table_, *field_, indices[0]);
  render(indices, scratch);
  return scratch;
}

std::string render_field_value(const RecordTable& table, std::string_view field,
                               std::span<const std::uint32_t> indices) {
  std::string out;
  FieldValueRenderer(table, field).render(indices, out);
  return out;
}

}  // namespace oeuvre::engine
