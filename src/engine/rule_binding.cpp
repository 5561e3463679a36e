// PairScorer::create: binds the rules to the two tables. Resolves each rule's fields, checks that
// its comparator fits them, drops rules over a column a side lacks, orders the rules cheap and
// decisive first, and prepares what scoring reads in its hot loops: every text value normalised
// once (text, token set, key), the dates of date rules over text (and of typo-tolerant or blocking
// ones), a word sketch per record, and currencies as small integers.

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "core/utf8.h"
#include "engine/pair_scorer.h"
#include "engine/parallel_for.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

std::string_view cut(std::string_view text) { return cut_utf8(text, kMaxComparedBytes); }

}  // namespace

void PairScorer::prepare_dates(BoundRule& b, const RecordTable& left, const RecordTable& right,
                               int threads) {
  for (int side = 0; side < 2; ++side) {
    const RecordTable& table = side == 0 ? left : right;
    const FieldRef field = side == 0 ? b.left : b.right;
    PreparedColumn& out = side == 0 ? b.left_prepared : b.right_prepared;
    const bool text = value_type(table, field) == ValueType::kText;
    const std::size_t n = table.size();
    out.dates.resize(n);
    parallel_for(n, threads, [&](std::size_t begin, std::size_t end, std::size_t) {
      for (std::size_t i = begin; i < end; ++i) {
        out.dates[i] =
            text ? date_value_from_text(cut(text_of(table, field, i)))
                 : date_value_from_days(static_cast<std::int32_t>(number_of(table, field, i)));
      }
    });
    if (!b.rule.blocking) continue;
    out.keys.reserve(n, n * 8);
    char digits[8];
    for (std::size_t i = 0; i < n; ++i) out.keys.push_back(date_digits(out.dates[i], digits));
  }
}

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
    auto l = resolve_field(left, rule.left_field);
    auto r = resolve_field(right, rule.right_field);
    if (!l)
      errors.push_back(
          {path + ".left", "the left records have no field '" + rule.left_field + "'"});
    if (!r)
      errors.push_back(
          {path + ".right", "the right records have no field '" + rule.right_field + "'"});
    if (!l || !r) continue;
    ValueType lt = value_type(left, *l), rt = value_type(right, *r);
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
        // A text field may hold dates too (a birth date in an extra column).
        ok = (lt == ValueType::kDate || lt == ValueType::kText) &&
             (rt == ValueType::kDate || rt == ValueType::kText);
        if (!ok) {
          errors.push_back({path + ".compare",
                            "'date' needs date fields (or text fields holding dates such as "
                            "yyyymmdd) on both sides"});
        }
        break;
      default:
        ok = expect(ValueType::kText, "text");
        break;
    }
    if (!ok) continue;
    // A source lacks the column: the rule is dropped, unless that side has the rule's fallback
    // field and the other side the column (a bank export without a reference column, whose
    // remittance text is in the description): its records then count as ones with an empty
    // value, compared through the fallback.
    const auto through_fallback = [&](const RecordTable& table) {
      if (rule.fallback_field.empty()) return false;
      const auto fallback = resolve_field(table, rule.fallback_field);
      return fallback && value_type(table, *fallback) == ValueType::kText &&
             field_is_present(table, *fallback);
    };
    const bool left_present = field_is_present(left, *l);
    const bool right_present = field_is_present(right, *r);
    if ((!left_present && !right_present) || (!left_present && !through_fallback(left)) ||
        (!right_present && !through_fallback(right))) {
      if (rule.comparator == Comparator::kText && rule.method != TextMethod::kReference)
        scorer.name_rule_dropped_ = true;
      continue;
    }
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
      bound.needs_numbers = rule.method == TextMethod::kReference;
    } else if (rule.comparator == Comparator::kExact || rule.comparator == Comparator::kContains) {
      bound.needs_keys = true;
    } else if (rule.comparator == Comparator::kDate) {
      bound.needs_dates =
          rule.typos || rule.blocking || lt == ValueType::kText || rt == ValueType::kText;
      bound.needs_keys = rule.blocking;  // yyyymmdd, filled by prepare_dates
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

  // Read the dates of date rules once (and their digits as keys when they block).
  for (BoundRule& b : scorer.bound_) {
    if (b.needs_dates) prepare_dates(b, left, right, threads);
  }
  // Normalise every text value once.
  for (BoundRule& b : scorer.bound_) {
    if (b.rule.comparator == Comparator::kDate) continue;
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
        if (b.needs_numbers) part.numbers.reserve(count, count * 8);
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
          if (b.needs_numbers) {
            identifier_numbers_into(raw, scratch);
            part.numbers.push_back(scratch);
          }
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
      reserve(&PreparedColumn::numbers);
      for (const PreparedColumn& part : parts) {
        out.text.append(part.text);
        out.tokens.append(part.tokens);
        out.keys.append(part.keys);
        out.numbers.append(part.numbers);
      }
    }
  }

  // Fallback fields, as keys, for the records whose own value is empty.
  for (BoundRule& b : scorer.bound_) {
    if (b.rule.fallback_field.empty() || !b.needs_keys) continue;
    for (int side = 0; side < 2; ++side) {
      const RecordTable& table = side == 0 ? left : right;
      const auto field = resolve_field(table, b.rule.fallback_field);
      if (!field || value_type(table, *field) != ValueType::kText ||
          !field_is_present(table, *field))
        continue;  // this side has no such field: its empty values stay absent
      PreparedColumn& prepared = side == 0 ? b.left_prepared : b.right_prepared;
      const std::size_t n = table.size();
      std::vector<StringColumn> parts(parallel_workers(n, threads));
      std::vector<StringColumn> number_parts(parts.size());
      parallel_for(n, threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
        std::string scratch;
        for (std::size_t i = begin; i < end; ++i) {
          scratch.clear();
          const std::string_view raw = cut(text_of(table, *field, i));
          if (prepared.keys[i].empty()) normalize_key_into(raw, scratch);
          parts[worker].push_back(scratch);
          if (!b.needs_numbers) continue;
          scratch.clear();
          if (prepared.keys[i].empty()) identifier_numbers_into(raw, scratch);
          number_parts[worker].push_back(scratch);
        }
      });
      auto gather = [n](const std::vector<StringColumn>& pieces, StringColumn& out) {
        std::size_t bytes = 0;
        for (const StringColumn& piece : pieces) bytes += piece.byte_size();
        out.reserve(n, bytes);
        for (const StringColumn& piece : pieces) out.append(piece);
      };
      gather(parts, prepared.fallback);
      if (b.needs_numbers) gather(number_parts, prepared.fallback_numbers);
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

}  // namespace oeuvre::engine
