// The JSON views of files, their row errors and statements, and previews (declared in
// services/file_service.h): what the API and the audit rows show of them.
#include <chrono>

#include "core/date.h"
#include "core/money.h"
#include "services/file_service.h"

namespace oeuvre::services {

namespace {

boost::json::value parse_layout(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  return ec ? boost::json::value(nullptr) : v;
}

}  // namespace

boost::json::object to_json(const store::StoredStatement& s) {
  const auto day = [](const std::optional<std::chrono::sys_days>& d) -> boost::json::value {
    if (!d) return nullptr;
    return boost::json::value(
        format_iso_date(static_cast<std::int32_t>(d->time_since_epoch().count())));
  };
  const auto amount = [&](const std::optional<std::int64_t>& minor) -> boost::json::value {
    if (!minor) return nullptr;
    return boost::json::value(format_minor_units(*minor, currency_scale(s.currency)));
  };
  boost::system::error_code ec;
  boost::json::value balances = boost::json::parse(s.balances_json, ec);
  if (ec) balances = boost::json::array{};
  return {
      {"id", s.id.to_string()},
      {"file_id", s.file_id.to_string()},
      {"position", s.position},
      {"format", s.format},
      {"account", s.account},
      {"currency", s.currency},
      {"statement_id", s.statement_id},
      {"sequence", s.sequence},
      {"message_id", s.message_id},
      {"period_start", day(s.period_start)},
      {"period_end", day(s.period_end)},
      {"opening_balance", amount(s.opening_minor)},
      {"opening_balance_minor", s.opening_minor ? boost::json::value(*s.opening_minor) : nullptr},
      {"opening_date", day(s.opening_date)},
      {"closing_balance", amount(s.closing_minor)},
      {"closing_balance_minor", s.closing_minor ? boost::json::value(*s.closing_minor) : nullptr},
      {"closing_date", day(s.closing_date)},
      {"balances", std::move(balances)},
      {"transactions", s.transactions},
      {"transactions_unreadable", s.problems},
      {"transactions_sum",
       format_minor_units(s.transactions_sum_minor, currency_scale(s.currency))},
      {"transactions_sum_minor", s.transactions_sum_minor},
      {"balance_difference", amount(s.balance_difference_minor)},
      {"balance_difference_minor",
       s.balance_difference_minor ? boost::json::value(*s.balance_difference_minor) : nullptr},
      {"warning", s.warning ? boost::json::value(*s.warning) : nullptr}};
}

boost::json::object to_json(const store::StoredFile& f) {
  return {{"id", f.id.to_string()},
          {"project_id", f.project_id.to_string()},
          {"data_source_id", f.data_source_id.to_string()},
          {"filename", f.filename},
          {"content_type", f.content_type},
          {"sha256", f.sha256},
          {"size_bytes", f.size_bytes},
          {"status", to_string(f.status)},
          {"progress", f.progress},
          {"rows_ok", f.rows_ok},
          {"rows_failed", f.rows_failed},
          {"error", f.error ? boost::json::value(*f.error) : nullptr},
          {"uploaded_by", f.uploaded_by ? boost::json::value(f.uploaded_by->to_string()) : nullptr},
          {"created_at", format_timestamp(f.created_at)},
          {"updated_at", format_timestamp(f.updated_at)},
          {"layout", parse_layout(f.layout)}};
}

boost::json::object to_json(const store::FileRowError& e) {
  return {{"line", e.line}, {"column", e.column}, {"value", e.value}, {"reason", e.reason}};
}

boost::json::object layout_to_json(const ingest::FileLayout& layout) {
  boost::json::array header;
  for (const auto& h : layout.header) header.emplace_back(h);
  boost::json::object mapping;
  for (const auto& [field, column] : layout.mapping) mapping[field] = column;
  boost::json::value delimiter = nullptr;
  if (layout.format == "csv") delimiter = std::string(1, layout.delimiter);
  const bool uses_dates = std::any_of(layout.mapping.begin(), layout.mapping.end(),
                                      [](const auto& m) { return m.first == "date"; });
  boost::json::object out{
      {"format", layout.format},
      {"delimiter", delimiter},
      {"header", std::move(header)},
      {"mapping", std::move(mapping)},
      {"date_order",
       uses_dates ? boost::json::value(ingest::date_order_name(layout.date_order)) : nullptr},
      {"decimal_separator",
       layout.decimal_separator == ingest::DecimalSeparator::kComma ? "," : "."},
      {"rows", layout.rows},
      {"rows_failed", layout.rows_failed}};
  if (layout.statements > 0) {  // a bank statement file
    out["statements"] = layout.statements;
    boost::json::array warnings;
    for (const auto& w : layout.warnings) warnings.emplace_back(w);
    out["warnings"] = std::move(warnings);
  }
  return out;
}

boost::json::object to_json(const ingest::Preview& preview) {
  boost::json::array rows;
  for (const auto& row : preview.rows) {
    boost::json::array cells;
    for (const auto& c : row.cells) cells.emplace_back(c);
    boost::json::value record = nullptr;
    if (row.record) {
      const ingest::ParsedRecord& r = *row.record;
      boost::system::error_code ec;
      boost::json::value extra = boost::json::parse(r.extra_json.empty() ? "{}" : r.extra_json, ec);
      if (ec) extra = boost::json::object{};
      record = boost::json::object{
          {"external_id",
           r.external_id.empty() ? boost::json::value(nullptr) : boost::json::value(r.external_id)},
          {"transaction_date",
           r.date_days ? boost::json::value(format_iso_date(*r.date_days)) : nullptr},
          // A file without amounts (column_mapping.amount_optional): null amount and currency.
          {"amount", r.currency.empty() ? boost::json::value(nullptr)
                                        : boost::json::value(format_minor_units(
                                              r.amount_minor, currency_scale(r.currency)))},
          {"amount_minor",
           r.currency.empty() ? boost::json::value(nullptr) : boost::json::value(r.amount_minor)},
          {"currency",
           r.currency.empty() ? boost::json::value(nullptr) : boost::json::value(r.currency)},
          {"description", r.description},
          {"reference", r.reference},
          {"counterparty", r.counterparty},
          {"extra", std::move(extra)}};
    }
    boost::json::array errors;
    for (const auto& e : row.errors) {
      errors.push_back(to_json(
          store::FileRowError{static_cast<std::int64_t>(e.line), e.column, e.value, e.reason}));
    }
    rows.push_back(boost::json::object{{"line", row.line},
                                       {"cells", std::move(cells)},
                                       {"record", std::move(record)},
                                       {"errors", std::move(errors)}});
  }
  return {{"layout", layout_to_json(preview.layout)}, {"rows", std::move(rows)}};
}

}  // namespace oeuvre::services
