#include "ingest/record_loader.h"

#include <charconv>
#include <cstdlib>

namespace oeuvre::ingest {
namespace {

constexpr std::size_t kSeparatorSampleRows = 1000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct PendingAmount {
  std::string amount, debit, credit, indicator;
  std::uint64_t line;
};

}  // namespace

Result<LoadedRecords> load_records(csv::CsvReader& reader, const LoadOptions& options) {
  LoadedRecords out;
  out.delimiter = reader.delimiter();
  csv::CsvRow row;
  ASSIGN_OR_RETURN(bool has_header, reader.next(row));
  if (!has_header) return Error::Validation("file", "is empty (expected a header line)");
  for (std::string_view h : row.fields()) out.header.emplace_back(trim(h));
  std::vector<std::string_view> header_views(out.header.begin(), out.header.end());
  ASSIGN_OR_RETURN(out.mapping, map_columns(header_views));
  const ColumnMapping& m = out.mapping;
  engine::RecordTable& t = out.table;
  t.amount_scale = options.amount_scale;
  t.has_amount = true;
  t.has_date = m.date.has_value();
  t.has_currency = m.currency.has_value();
  t.has_reference = m.reference.has_value();
  t.has_description = m.description.has_value();
  t.has_counterparty = m.counterparty.has_value();
  auto name_column = [&](const std::optional<std::size_t>& column, const char* field) {
    if (column) t.column_names.emplace_back(out.header[*column], field);
  };
  name_column(m.id, "id");
  name_column(m.date, "date");
  name_column(m.amount, "amount");
  name_column(m.currency, "currency");
  name_column(m.reference, "reference");
  name_column(m.description, "description");
  name_column(m.counterparty, "counterparty");
  for (std::size_t column : m.extras)
    t.extras.push_back(engine::ExtraColumn{out.header[column], engine::ExtraKind::kText, {}, {}});
  if (std::size_t hint = reader.size_hint(); hint > 0) {
    const std::size_t estimate = hint / 64 + 16;
    t.ids.reserve(estimate, m.id ? hint / 8 : estimate * 6);
    t.amounts.reserve(estimate);
    t.dates.reserve(estimate);
    out.lines.reserve(estimate);
  }

  std::vector<DateParts> date_parts;
  DateOrderDetector detector;
  std::optional<DecimalSeparator> separator = options.decimal_separator;
  std::vector<PendingAmount> pending;
  const std::size_t width = out.header.size();

  auto column_error = [&](std::uint64_t line, std::size_t column, const Error& e) {
    return Error::BadRequest("line " + std::to_string(line) + ", column '" + out.header[column] +
                             "': " + e.message());
  };
  auto parse_money = [&](std::string_view amount, std::string_view debit, std::string_view credit,
                         std::string_view indicator, std::uint64_t line) -> Result<std::int64_t> {
    if (m.amount) {
      auto v = parse_amount(amount, options.amount_scale, *separator);
      if (!v.ok()) return column_error(line, *m.amount, v.error());
      if (!m.credit_debit_indicator) return v;
      const std::optional<CreditDebit> sign = parse_credit_debit(indicator);
      if (!sign) {
        return column_error(line, *m.credit_debit_indicator,
                            Error::BadRequest("'" + std::string(indicator.substr(0, 40)) +
                                              "' is not a debit/credit indicator"));
      }
      auto signed_amount = apply_credit_debit(*v, *sign);
      if (!signed_amount.ok())
        return column_error(line, *m.credit_debit_indicator, signed_amount.error());
      return signed_amount;
    }
    if (debit.empty() && credit.empty()) {
      return Error::BadRequest("line " + std::to_string(line) + ": both '" + out.header[*m.debit] +
                               "' and '" + out.header[*m.credit] + "' are empty");
    }
    std::int64_t total = 0;
    if (!credit.empty()) {
      auto v = parse_amount(credit, options.amount_scale, *separator);
      if (!v.ok()) return column_error(line, *m.credit, v.error());
      total += std::llabs(*v);
    }
    if (!debit.empty()) {
      auto v = parse_amount(debit, options.amount_scale, *separator);
      if (!v.ok()) return column_error(line, *m.debit, v.error());
      total -= std::llabs(*v);
    }
    return total;
  };
  auto flush_pending = [&]() -> Status {
    if (!separator) {
      std::vector<std::string_view> samples;
      for (const PendingAmount& p : pending) {
        if (!p.amount.empty()) samples.push_back(p.amount);
        if (!p.debit.empty()) samples.push_back(p.debit);
        if (!p.credit.empty()) samples.push_back(p.credit);
      }
      separator = detect_decimal_separator(samples);
    }
    for (const PendingAmount& p : pending) {
      ASSIGN_OR_RETURN(std::int64_t v,
                       parse_money(p.amount, p.debit, p.credit, p.indicator, p.line));
      t.amounts.push_back(v);
    }
    pending.clear();
    pending.shrink_to_fit();
    return OkStatus();
  };

  char id_text[24];
  std::size_t records = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.next(row));
    if (!more) break;
    if (++records > options.max_records) {
      return Error::Validation("file",
                               "has more than " + std::to_string(options.max_records) + " records");
    }
    const std::uint64_t line = row.line();
    if (row.size() > width) {
      for (std::size_t k = width; k < row.size(); ++k) {
        if (!trim(row[k]).empty()) {
          return Error::BadRequest("line " + std::to_string(line) + ": " +
                                   std::to_string(row.size()) + " fields, but the header has " +
                                   std::to_string(width));
        }
      }
    }
    auto get = [&](const std::optional<std::size_t>& column) -> std::string_view {
      if (!column || *column >= row.size()) return {};
      return trim(row[*column]);
    };
    out.lines.push_back(line);
    if (m.id) {
      t.ids.push_back(get(m.id));
    } else {
      auto [end, ec] = std::to_chars(id_text, id_text + sizeof id_text, line);
      (void)ec;
      t.ids.push_back(std::string_view(id_text, static_cast<std::size_t>(end - id_text)));
    }
    if (m.date) {
      std::string_view text = get(m.date);
      if (text.empty()) {
        date_parts.push_back(DateParts{DateParts::Shape::kYearFirst, 0, 0, 0, '-'});
      } else {
        auto parts = split_date(text);
        if (!parts.ok()) return column_error(line, *m.date, parts.error());
        detector.observe(*parts, line);
        date_parts.push_back(*parts);
      }
    }
    std::string_view amount = get(m.amount), debit = get(m.debit), credit = get(m.credit),
                     indicator = get(m.credit_debit_indicator);
    if (!separator) {
      pending.push_back({std::string(amount), std::string(debit), std::string(credit),
                         std::string(indicator), line});
      if (pending.size() >= kSeparatorSampleRows) RETURN_IF_ERROR(flush_pending());
    } else {
      ASSIGN_OR_RETURN(std::int64_t v, parse_money(amount, debit, credit, indicator, line));
      t.amounts.push_back(v);
    }
    std::string_view currency = get(m.currency);
    if (currency.size() == 3) {
      char upper[3];
      for (int k = 0; k < 3; ++k) {
        char c = currency[static_cast<std::size_t>(k)];
        upper[k] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
      }
      t.currencies.push_back(std::string_view(upper, 3));
    } else {
      t.currencies.push_back(currency);
    }
    t.references.push_back(get(m.reference));
    t.descriptions.push_back(get(m.description));
    t.counterparties.push_back(get(m.counterparty));
    for (std::size_t e = 0; e < m.extras.size(); ++e) t.extras[e].text.push_back(get(m.extras[e]));
    if (options.progress && records % 65536 == 0) options.progress(reader.bytes_consumed());
  }
  if (!pending.empty() || !separator) RETURN_IF_ERROR(flush_pending());
  out.decimal_separator = *separator;

  if (m.date) {
    DateOrder order;
    if (options.date_order) {
      order = *options.date_order;
    } else {
      ASSIGN_OR_RETURN(order, detector.decide());
    }
    out.date_order = order;
    t.dates.resize(date_parts.size());
    for (std::size_t i = 0; i < date_parts.size(); ++i) {
      if (date_parts[i].year == 0) {
        t.dates[i] = engine::kNoDate;
        continue;
      }
      auto days = to_days(date_parts[i], order);
      if (!days.ok()) return column_error(out.lines[i], *m.date, days.error());
      t.dates[i] = *days;
    }
  } else {
    t.dates.assign(t.ids.size(), engine::kNoDate);
  }
  if (options.progress) options.progress(reader.bytes_consumed());
  RETURN_IF_ERROR(t.check_consistent());
  return out;
}

}  // namespace oeuvre::ingest
