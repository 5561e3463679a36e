#include "ingest/column_indexes.h"

#include <algorithm>
#include <initializer_list>

namespace oeuvre::ingest {

std::string normalize_header(std::string_view name) {
  std::string out;
  bool pending = false;
  for (char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       static_cast<unsigned char>(c) >= 0x80;
    if (!alnum) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back('_');
    pending = false;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

Result<ColumnIndexes> map_columns(std::span<const std::string_view> header) {
  return map_columns(header, MappedColumns{});
}

Result<ColumnIndexes> map_columns(std::span<const std::string_view> header,
                                  const MappedColumns& named, bool amount_required) {
  std::vector<std::string> names;
  for (std::string_view h : header) names.push_back(normalize_header(h));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (names[j] == names[i]) {
        return Error::Validation("header", "column '" + std::string(header[i]) +
                                               "' appears twice (columns " + std::to_string(j + 1) +
                                               " and " + std::to_string(i + 1) + ")");
      }
    }
  }
  std::vector<bool> taken(names.size(), false);
  std::vector<FieldError> missing;
  // Resolves a user-named column: the exact (trimmed) header cell, else the normalized one.
  auto resolve = [&](const std::optional<std::string>& name,
                     std::string_view key) -> std::optional<std::size_t> {
    if (!name) return std::nullopt;
    auto trim = [](std::string_view v) {
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return v;
    };
    const std::string_view wanted = trim(*name);
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (trim(header[i]) == wanted) {
        taken[i] = true;
        return i;
      }
    }
    const std::string normalized = normalize_header(wanted);
    for (std::size_t i = 0; i < names.size() && !normalized.empty(); ++i) {
      if (names[i] == normalized) {
        taken[i] = true;
        return i;
      }
    }
    missing.push_back(
        {"column_mapping.columns." + std::string(key), "the file has no column '" + *name + "'"});
    return std::nullopt;
  };
  ColumnIndexes m;
  m.id = resolve(named.external_id, "external_id");
  m.date = resolve(named.date, "date");
  m.amount = resolve(named.amount, "amount");
  m.debit = resolve(named.debit, "debit");
  m.credit = resolve(named.credit, "credit");
  m.currency = resolve(named.currency, "currency");
  m.reference = resolve(named.reference, "reference");
  m.description = resolve(named.description, "description");
  m.counterparty = resolve(named.counterparty, "counterparty");
  m.credit_debit_indicator = resolve(named.credit_debit_indicator, "credit_debit_indicator");
  if (named.amount && (named.debit || named.credit)) {
    missing.push_back({"column_mapping.columns.amount",
                       "cannot be combined with debit/credit: map either amount, or debit and "
                       "credit"});
  }
  if (m.debit && m.credit && *m.debit == *m.credit) {
    missing.push_back({"column_mapping.columns.credit", "must name a different column than debit"});
  }
  if (named.credit_debit_indicator && (named.debit || named.credit)) {
    missing.push_back({"column_mapping.columns.credit_debit_indicator",
                       "gives the sign of an amount column; it cannot be combined with "
                       "debit/credit columns"});
  }
  if (!missing.empty()) return Error::Validation(std::move(missing));

  auto find = [&](std::initializer_list<std::string_view> aliases) -> std::optional<std::size_t> {
    for (std::string_view alias : aliases) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (!taken[i] && names[i] == alias) {
          taken[i] = true;
          return i;
        }
      }
    }
    return std::nullopt;
  };
  if (!named.date) {
    m.date = find({"date", "transaction_date", "txn_date", "booking_date", "posting_date",
                   "posted_date", "entry_date", "value_date", "trade_date", "datum", "buchungstag",
                   "buchungsdatum", "valuta", "date_operation", "fecha"});
  }
  const bool named_pair = named.debit || named.credit;
  if (!named.amount && !named_pair) {
    m.amount = find({"amount", "value", "sum", "total", "amt", "transaction_amount", "net_amount",
                     "betrag", "montant", "importe"});
  }
  if (!m.amount) {
    if (!named.debit) {
      m.debit = find(
          {"debit", "withdrawal", "withdrawals", "money_out", "paid_out", "dr", "debit_amount"});
    }
    if (!named.credit) {
      m.credit =
          find({"credit", "deposit", "deposits", "money_in", "paid_in", "cr", "credit_amount"});
    }
  }
  if (!named.currency) {
    m.currency = find({"currency", "ccy", "cur", "currency_code", "w\xC3\xA4hrung", "waehrung",
                       "devise", "moneda", "divisa"});
  }
  if (!named.reference) {
    m.reference = find({"reference", "ref", "ref_no", "reference_number", "payment_reference",
                        "invoice", "invoice_number", "invoice_no", "document_number", "doc_no",
                        "check_number", "cheque_number"});
  }
  if (!named.external_id)
    m.id = find({"id", "transaction_id", "txn_id", "entry_id", "record_id", "journal_id"});
  if (!named.description) {
    m.description =
        find({"description", "memo", "narrative", "details", "particulars", "remarks", "text",
              "transaction_details", "verwendungszweck", "libelle", "concepto"});
  }
  if (!named.counterparty) {
    m.counterparty = find({"counterparty", "payee", "payer", "name", "beneficiary", "merchant",
                           "vendor", "customer", "party", "auftraggeber", "empfaenger",
                           "empf\xC3\xA4nger", "beguenstigter", "tiers"});
  }
  if (m.amount && !named.credit_debit_indicator) {
    m.credit_debit_indicator =
        find({"dr_cr", "cr_dr", "debit_credit", "credit_debit", "debit_credit_indicator",
              "credit_debit_indicator", "cd_indicator", "dc_indicator", "d_c", "c_d", "direction",
              "soll_haben", "s_h"});
  }
  if (!m.amount && !(m.debit && m.credit) && (amount_required || named_pair)) {
    if (named_pair) {
      const bool need_credit = !m.credit;
      return Error::Validation(
          std::string("column_mapping.columns.") + (need_credit ? "credit" : "debit"),
          std::string("is required with columns.") + (need_credit ? "debit" : "credit") +
              " (no column was found for it)");
    }
    std::string found;
    for (std::string_view h : header) found += (found.empty() ? "" : ", ") + std::string(h);
    return Error::Validation("header",
                             "no amount column: expected one named amount, value, sum or total, "
                             "or a debit and a credit column; found: " +
                                 found);
  }
  if (!m.amount && !(m.debit && m.credit)) {
    // No amounts, so no currency: a lone debit or credit column, and a currency column, are extra
    // columns like any.
    for (std::optional<std::size_t>* unused : {&m.debit, &m.credit, &m.currency}) {
      if (*unused) taken[**unused] = false;
      unused->reset();
    }
  }
  if (m.credit_debit_indicator && !m.amount) {
    return Error::Validation("column_mapping.columns.credit_debit_indicator",
                             "gives the sign of an amount column; it cannot be combined with "
                             "debit/credit columns");
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!taken[i] && !names[i].empty()) m.extras.push_back(i);
  }
  return m;
}

}  // namespace oeuvre::ingest
