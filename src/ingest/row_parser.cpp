#include "ingest/row_parser.h"

#include "core/json_writer.h"
#include "core/money.h"
#include "core/utf8.h"

#include <cstdlib>
#include <cstring>

namespace oeuvre::ingest {
namespace {

constexpr std::size_t kMaxErrorValueBytes = 200;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool has_exponent(std::string_view number) {
  return number.find_first_of("eE") != std::string_view::npos;
}

// `text` with each NUL shown as U+FFFD: an error report must not hold what text cannot.
std::string without_nul(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

bool expand_exponent(std::string_view number, std::string& out) {
  out.clear();
  std::size_t i = 0;
  const bool negative = !number.empty() && number[0] == '-';
  if (negative) ++i;
  std::string digits;
  int point = -1;  // digits before the decimal point
  for (; i < number.size() && number[i] != 'e' && number[i] != 'E'; ++i) {
    const char c = number[i];
    if (c == '.') {
      if (point >= 0) return false;
      point = static_cast<int>(digits.size());
    } else if (c >= '0' && c <= '9') {
      if (digits.size() > 64) return false;
      digits.push_back(c);
    } else {
      return false;
    }
  }
  if (digits.empty()) return false;
  if (point < 0) point = static_cast<int>(digits.size());
  int exponent = 0;
  if (i < number.size()) {
    ++i;  // 'e'
    bool exponent_negative = false;
    if (i < number.size() && (number[i] == '+' || number[i] == '-')) {
      exponent_negative = number[i] == '-';
      ++i;
    }
    if (i == number.size()) return false;
    for (; i < number.size(); ++i) {
      if (number[i] < '0' || number[i] > '9') return false;
      exponent = exponent * 10 + (number[i] - '0');
      if (exponent > 40) return false;
    }
    if (exponent_negative) exponent = -exponent;
  }
  point += exponent;
  if (negative) out.push_back('-');
  const int count = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (point >= count) {
    out += digits;
    out.append(static_cast<std::size_t>(point - count), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(point));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(point), std::string::npos);
  }
  return true;
}

RowParser::RowParser(RowLayout layout) : layout_(std::move(layout)) {
  const ColumnIndexes& m = layout_.columns;
  std::vector<bool> used(layout_.header.size(), false);
  for (const auto& column : {m.id, m.date, m.amount, m.debit, m.credit, m.currency, m.reference,
                             m.description, m.counterparty, m.credit_debit_indicator}) {
    if (column && *column < used.size()) used[*column] = true;
  }
  for (std::size_t i = 0; i < layout_.header.size(); ++i) {
    if (used[i]) continue;
    const std::string& name = layout_.header[i];
    Extra extra{i, "\"", name.empty()};
    append_json_escaped(extra.json_key, name.empty() ? "column " + std::to_string(i + 1) : name);
    extra.json_key += "\":";
    extras_.push_back(std::move(extra));
  }
}

int RowParser::scale_of(std::string_view currency) {
  if (currency.size() == 3 && std::memcmp(currency.data(), cached_currency_, 3) == 0) {
    return cached_scale_;
  }
  cached_scale_ = currency_scale(currency);
  if (currency.size() == 3) std::memcpy(cached_currency_, currency.data(), 3);
  return cached_scale_;
}

bool RowParser::parse(const SourceRow& row, ParsedRecord* record, std::vector<RowError>& errors) {
  const std::size_t errors_before = errors.size();
  const ColumnIndexes& m = layout_.columns;
  auto add = [&](const std::optional<std::size_t>& column, std::string_view value,
                 std::string reason) {
    errors.push_back(RowError{row.line, column ? without_nul(layout_.header[*column]) : std::string(),
                              without_nul(cut_utf8(value, kMaxErrorValueBytes)),
                              std::move(reason)});
  };
  if (!row.problem.empty()) {
    errors.push_back(RowError{row.line, "", without_nul(row.problem_value), row.problem});
    return false;
  }
  // Text cannot hold U+0000 (PostgreSQL refuses it, SQLite would keep it): the row's error on both.
  for (std::size_t c = 0; c < row.cells.size(); ++c) {
    if (row.cells[c].text.find('\0') != std::string_view::npos) {
      add(c, row.cells[c].text, "contains a NUL character (U+0000), which text cannot hold");
    }
  }
  if (errors.size() > errors_before) return false;
  auto cell = [&](const std::optional<std::size_t>& column) -> Cell {
    if (!column || *column >= row.cells.size()) return Cell{};
    return row.cells[*column];
  };

  // Date.
  std::optional<std::int32_t> date;
  if (m.date) {
    const Cell c = cell(m.date);
    const std::string_view text = trim(c.text);
    if (c.kind == CellKind::kNested) {
      add(m.date, text, "is a JSON object or array, not a date");
    } else if (text.empty()) {
      add(m.date, text, "the date is empty");
    } else if (auto parts = split_date_unquoted(text); !parts.ok()) {
      add(m.date, text, parts.error().message());
    } else if (parts->shape == DateParts::Shape::kNumeric && !layout_.date_order) {
      add(m.date, text, layout_.undecided_dates);
    } else if (parts->shape == DateParts::Shape::kNumeric &&
               *layout_.date_order == DateOrder::kYearMonthDay) {
      add(m.date, text,
          "is not written year first, as column_mapping.date_format says; set it to dd/mm/yyyy "
          "or mm/dd/yyyy");
    } else if (auto days = to_days(*parts, layout_.date_order.value_or(DateOrder::kYearMonthDay));
               !days.ok()) {
      add(m.date, text, days.error().message());
    } else {
      date = *days;
    }
  }

  // Currency from its column.
  char currency_text[3] = {0, 0, 0};
  std::string_view currency;
  bool currency_bad = false;
  if (m.currency) {
    const Cell c = cell(m.currency);
    const std::string_view text = trim(c.text);
    if (!text.empty()) {
      if (c.kind == CellKind::kText && text.size() == 3 && is_letter(text[0]) &&
          is_letter(text[1]) && is_letter(text[2])) {
        for (int k = 0; k < 3; ++k) currency_text[k] = upper(text[static_cast<std::size_t>(k)]);
        currency = std::string_view(currency_text, 3);
      } else {
        add(m.currency, text, "is not a currency code (three letters such as EUR)");
        currency_bad = true;
      }
    }
  }

  // Amount texts, taken apart before the currency (and so the scale) is known.
  struct Money {
    std::optional<std::size_t> column;
    std::string_view text;
    CellKind kind = CellKind::kMissing;
    std::optional<AmountText> parts;
  };
  Money money[2];  // amount, or debit and credit
  int money_count = 0;
  auto take = [&](const std::optional<std::size_t>& column, std::string_view shown,
                  std::string_view text, CellKind kind, std::string& expanded) {
    Money& slot = money[money_count++];
    slot.column = column;
    slot.text = shown;
    slot.kind = kind;
    if (kind == CellKind::kNested || kind == CellKind::kBool) {
      add(column, shown, "is not an amount");
      return;
    }
    if (kind == CellKind::kNumber && has_exponent(text)) {
      if (!expand_exponent(text, expanded)) {
        add(column, shown, "is not an exact amount (exponent out of range)");
        return;
      }
      text = expanded;
    }
    auto parts = split_amount(text);
    if (!parts.ok()) {
      add(column, shown, parts.error().message());
      return;
    }
    slot.parts = *parts;
  };
  if (m.amount) {
    const Cell c = cell(m.amount);
    const std::string_view text = trim(c.text);
    if (text.empty()) {
      add(m.amount, text, "the amount is empty");
    } else {
      take(m.amount, text, text, c.kind, expanded_[0]);
    }
  } else if (m.debit && m.credit) {
    const Cell d = cell(m.debit), c = cell(m.credit);
    const std::string_view debit = trim(d.text), credit = trim(c.text);
    if (debit.empty() && credit.empty()) {
      add(std::nullopt, "",
          "both '" + layout_.header[*m.debit] + "' and '" + layout_.header[*m.credit] +
              "' are empty");
    }
    if (!debit.empty()) take(m.debit, debit, debit, d.kind, expanded_[0]);
    if (!credit.empty()) take(m.credit, credit, credit, c.kind, expanded_[1]);
  }

  // The row's currency: the cell, else a code in the amount text, else the default.
  for (int k = 0; k < money_count; ++k) {
    if (!money[k].parts) continue;
    const std::string_view code = money[k].parts->currency_code;
    if (code.empty() || currency_bad) continue;
    if (currency.empty()) {
      currency = code;
    } else if (code != currency) {
      add(money[k].column, money[k].text,
          "is in " + std::string(code) + " but the row's currency is " + std::string(currency));
    }
  }
  // A file without amounts (ParseSettings::amount_optional) has no currency either.
  const bool has_amounts = m.amount || (m.debit && m.credit);
  const bool unknown_currency = currency.empty() && !currency_bad && !layout_.default_currency &&
                                layout_.unknown_currency_scale;
  if (currency.empty() && !currency_bad && !unknown_currency && has_amounts) {
    if (layout_.default_currency) {
      currency = *layout_.default_currency;
    } else {
      add(m.currency, "",
          m.currency ? "the currency is empty; set column_mapping.default_currency for such rows"
                     : "the file has no currency column; set column_mapping.default_currency");
    }
  }

  // Minor units at the currency's scale.
  std::int64_t amount = 0;
  if ((!currency.empty() || unknown_currency) && !currency_bad && has_amounts) {
    const int scale = unknown_currency ? *layout_.unknown_currency_scale : scale_of(currency);
    std::int64_t values[2] = {0, 0};
    bool ok = true;
    for (int k = 0; k < money_count; ++k) {
      if (!money[k].parts) {
        ok = false;
        continue;
      }
      const DecimalSeparator separator =
          money[k].kind == CellKind::kNumber ? DecimalSeparator::kDot : layout_.decimal_separator;
      auto minor = to_minor_units(*money[k].parts, scale, separator);
      if (!minor.ok()) {
        std::string reason = minor.error().message();
        if (reason.find("decimal places") != std::string::npos) {
          reason += " (" + std::string(currency) + " has " + std::to_string(scale) + ")";
        }
        add(money[k].column, money[k].text, std::move(reason));
        ok = false;
        continue;
      }
      values[k] = *minor;
    }
    if (ok && m.amount) {
      amount = values[0];
      if (m.credit_debit_indicator) {
        const Cell c = cell(m.credit_debit_indicator);
        const std::string_view text = trim(c.text);
        const std::optional<CreditDebit> indicator =
            c.kind == CellKind::kNested ? std::nullopt : parse_credit_debit(text);
        if (!indicator) {
          add(m.credit_debit_indicator, text,
              "is not a debit/credit indicator (expected DR/CR, D/C or Debit/Credit)");
        } else if (auto signed_amount = apply_credit_debit(amount, *indicator);
                   !signed_amount.ok()) {
          add(m.credit_debit_indicator, text, signed_amount.error().message());
        } else {
          amount = *signed_amount;
        }
      }
    } else if (ok) {
      // Debit and credit: which is which is told by the column, not the sign.
      std::int64_t debit = 0, credit = 0;
      for (int k = 0; k < money_count; ++k) {
        (money[k].column == m.debit ? debit : credit) = std::llabs(values[k]);
      }
      amount = credit - debit;
    }
  }

  if (errors.size() > errors_before) return false;
  if (record == nullptr) return true;

  record->line = row.line;
  record->date_days = date;
  record->amount_minor = amount;
  record->currency.assign(currency);
  record->external_id.assign(trim(cell(m.id).text));
  record->description.assign(trim(cell(m.description).text));
  record->reference.assign(trim(cell(m.reference).text));
  record->counterparty.assign(trim(cell(m.counterparty).text));
  std::string& extra = record->extra_json;
  extra.clear();
  extra.push_back('{');
  bool first = true;
  for (const Extra& e : extras_) {
    const Cell c = e.column < row.cells.size() ? row.cells[e.column] : Cell{};
    if (c.kind == CellKind::kMissing) continue;
    const std::string_view value = trim(c.text);
    if (e.unnamed && value.empty()) continue;
    if (!first) extra.push_back(',');
    first = false;
    extra += e.json_key;
    extra.push_back('"');
    append_json_escaped(extra, value);
    extra.push_back('"');
  }
  extra.push_back('}');
  return true;
}

}  // namespace oeuvre::ingest
